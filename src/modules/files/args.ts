// Argument pieces shared by the file-installing modules.
import { z } from "zod";

/**
 * A file mode as an octal string ("0644", "755"). Numbers are refused: YAML reads 0644 as the
 * decimal 644, a classic way to end up with mode 1204.
 */
export const modeArg = z
  .string()
  .regex(/^0?[0-7]{3,4}$/, { error: 'a mode is an octal string such as "0644"' })
  .transform((s) => parseInt(s, 8));

const name = z.string().regex(/^[a-z_][a-z0-9_.-]*\$?$/i, { error: "not a user or group name" });

export const ownershipArgs = {
  /** Permission bits, e.g. "0644". Left as they are when absent. */
  mode: modeArg.optional(),
  /** Owning user; left as it is when absent. */
  owner: name.optional(),
  /** Owning group; left as it is when absent. */
  group: name.optional(),
};

export const absolutePath = z.string().regex(/^\//, { error: "must be an absolute path" });
