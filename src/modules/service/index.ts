// service: a daemon's state now (started, stopped, restarted) and at boot (enabled), through
// systemd, update-rc.d or chkconfig as the facts say. `restarted` always acts: it is what
// handlers use after a configuration change.
import { z } from "zod";
import { change, command, defineModule, noop, type Step } from "../types.js";
import { initDriver, parseQuery } from "./init.js";

const args = z
  .strictObject({
    /** Init script / unit name, e.g. isc-dhcp-server. */
    name: z.string().regex(/^[A-Za-z0-9@_.-]+$/, { error: "not a service name" }),
    /** started, stopped, or restarted (always restarts). Left alone when absent. */
    state: z.enum(["started", "stopped", "restarted"]).optional(),
    /** Start at boot (true) or not (false). Left alone when absent. */
    enabled: z.boolean().optional(),
  })
  .refine((a) => a.state !== undefined || a.enabled !== undefined, {
    error: "give state, enabled, or both",
  });

export const serviceModule = defineModule({
  name: "service",
  description:
    "Start, stop or restart a service and enable or disable it at boot (systemd or SysV)",
  args,
  async plan(a, host) {
    const init = initDriver(host.facts);
    // Only what the task asks about: some init scripts' status checks take tens of ms.
    const query = [
      ...(a.state !== undefined ? [init.running(a.name)] : []),
      ...(a.enabled !== undefined ? [init.enabled(a.name)] : []),
    ].join("; ");
    const now = parseQuery((await host.transport.run(query)).stdout);
    const steps: Step[] = [];
    // Restarting a stopped service is starting it (some init scripts wait for a stop first).
    if (a.state === "restarted") {
      steps.push(
        now.running
          ? command(`restart ${a.name}`, init.restart(a.name))
          : command(`start ${a.name}`, init.start(a.name)),
      );
    }
    if (a.state === "started" && !now.running)
      steps.push(command(`start ${a.name}`, init.start(a.name)));
    if (a.state === "stopped" && now.running)
      steps.push(command(`stop ${a.name}`, init.stop(a.name)));
    if (a.enabled === true && !now.enabled)
      steps.push(command(`enable ${a.name}`, init.enable(a.name)));
    if (a.enabled === false && now.enabled)
      steps.push(command(`disable ${a.name}`, init.disable(a.name)));
    if (steps.length === 0) {
      const parts = [
        ...(a.state ? [now.running ? "running" : "stopped"] : []),
        ...(a.enabled !== undefined ? [now.enabled ? "enabled" : "disabled"] : []),
      ];
      return noop(`${a.name} is ${parts.join(" and ")}`);
    }
    return change(steps.map((s) => s.title).join(", "), steps);
  },
});
