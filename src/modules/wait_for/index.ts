// wait_for: until a port listens, a file exists, or an address sits on an interface (or until
// they are gone, with state: absent). Reads only, so it reports ok, never changed.
import { z } from "zod";
import { sh } from "../../transport/quote.js";
import type { Transport } from "../../transport/types.js";
import { duration } from "../args.js";
import { absolutePath } from "../files/args.js";
import { defineModule, noop, type Plan } from "../types.js";

const args = z
  .strictObject({
    /** A listening port on the host. */
    port: z.number().int().min(1).max(65535).optional(),
    /** tcp (default) or udp, for port. */
    protocol: z.enum(["tcp", "udp"]).default("tcp"),
    /** A path on the host. */
    path: absolutePath.optional(),
    /** An IPv4 address that must be on `interface` (or on any interface). */
    address: z.ipv4().optional(),
    interface: z
      .string()
      .regex(/^[A-Za-z0-9_.:@-]{1,15}$/, { error: "not an interface name" })
      .optional(),
    /** present (default): wait until it is there; absent: until it is gone. */
    state: z.enum(["present", "absent"]).default("present"),
    timeout: duration.default(30_000),
    /** Time between two probes. */
    interval: duration.default(200),
  })
  .refine((a) => [a.port, a.path, a.address].filter((x) => x !== undefined).length === 1, {
    error: "give exactly one of port, path, address",
  });

type Args = z.infer<typeof args>;

/** A command that succeeds when the thing is present, and its description. */
export function probeFor(a: Args): { command: string; what: string } {
  if (a.port !== undefined) {
    const flags = a.protocol === "tcp" ? "-Hltn" : "-Hlun";
    return {
      command: sh`ss ${flags} ${`sport = :${a.port}`} | grep -q .`,
      what: `${a.protocol} port ${a.port} listening`,
    };
  }
  if (a.path !== undefined) return { command: sh`test -e ${a.path}`, what: `${a.path}` };
  const dev = a.interface ? sh`dev ${a.interface}` : "";
  return {
    command: `ip -o -4 addr show ${dev} | grep -qF ${sh`${` ${a.address}/`}`}`,
    what: `${a.address} on ${a.interface ?? "an interface"}`,
  };
}

async function holds(t: Transport, command: string, state: Args["state"]): Promise<boolean> {
  const ok = (await t.run(command)).exitCode === 0;
  return state === "present" ? ok : !ok;
}

export const waitForModule = defineModule({
  name: "wait_for",
  description:
    "Wait until a port listens, a path exists or an address is on an interface (or is gone)",
  args,
  async plan(a, host): Promise<Plan> {
    const { command, what } = probeFor(a);
    const goal = `${what}${a.state === "absent" ? " gone" : ""}`;
    if (await holds(host.transport, command, a.state)) return noop(goal);
    return {
      kind: "change",
      summary: `wait for ${goal}`,
      steps: [
        {
          kind: "wait",
          title: `wait for ${goal}`,
          timeoutMs: a.timeout,
          intervalMs: a.interval,
          probe: async () => ((await holds(host.transport, command, a.state)) ? null : goal),
        },
      ],
    };
  },
});
