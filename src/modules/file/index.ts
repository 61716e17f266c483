// file: a directory, a symbolic link, an empty file, or nothing at a path, with owner and mode.
import { z } from "zod";
import { sh } from "../../transport/quote.js";
import { absolutePath, ownershipArgs } from "../files/args.js";
import { describeMeta, metaStep, setMeta, statRemote } from "../files/remote.js";
import { change, command, defineModule, noop, type Step } from "../types.js";

const args = z
  .strictObject({
    path: absolutePath,
    /** directory (mkdir -p), link (to `src`), touch (empty file if missing), absent (rm -rf). */
    state: z.enum(["directory", "link", "touch", "absent"]),
    /** Link target, for state: link. */
    src: z.string().min(1).optional(),
    ...ownershipArgs,
  })
  .refine((a) => (a.state === "link") === (a.src !== undefined), {
    error: "src is required for state: link and only then",
    path: ["src"],
  });

export const fileModule = defineModule({
  name: "file",
  description:
    "Ensure a directory, symbolic link, empty file or absence at a path, with owner and mode",
  args,
  async plan(a, host) {
    const cur = (await statRemote(host.transport, [a.path], [])).get(a.path);
    if (a.state === "absent") {
      return cur
        ? change(`remove ${a.path}`, [command(`remove ${a.path}`, sh`rm -rf -- ${a.path}`)])
        : noop(`${a.path} is absent`);
    }
    const want = a.state === "directory" ? "directory" : a.state === "link" ? "link" : "file";
    const steps: Step[] = [];
    if (!cur || cur.kind !== want || (want === "link" && cur.target !== a.src)) {
      // Replacing a path of another kind removes it first; a directory is never replaced silently.
      if (cur && cur.kind === "directory" && want !== "directory") {
        throw new Error(
          `${a.path} is a directory; remove it first (state: absent) to put a ${want} there`,
        );
      }
      const create =
        want === "directory"
          ? sh`rm -f -- ${a.path} && mkdir -p -- ${a.path}`
          : want === "link"
            ? sh`ln -sfn -- ${a.src ?? ""} ${a.path}`
            : sh`rm -f -- ${a.path} && touch -- ${a.path}`;
      // A link's own mode means nothing; a new directory or file gets its owner and mode at once.
      const meta = want === "link" ? "" : setMeta(a.path, a);
      const own = want === "link" ? "" : describeMeta(a);
      steps.push(
        command(
          `create ${want} ${a.path}${own ? ` (${own})` : ""}`,
          meta ? `${create} && ${meta}` : create,
        ),
      );
    } else if (want !== "link") {
      const meta = metaStep(cur, a);
      if (meta) steps.push(meta);
    }
    if (steps.length === 0) return noop(`${a.path} is a ${want} as wanted`);
    return change(steps.map((s) => s.title).join("; "), steps);
  },
});
