// Building shell commands from quoted parts. POSIX single quotes make every byte literal except
// the single quote itself, which is closed, escaped and reopened ('\''). That one rule is easy to
// audit, unlike libraries that choose between double quotes and backslashes per character.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument, quoted so that the shell passes it through unchanged. */
export function quote(arg: string | number): string {
  const s = String(arg);
  if (s === "") return "''";
  if (SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A fragment the caller vouches for (operators, redirections): inserted as it is. */
export class Raw {
  constructor(readonly text: string) {}
}

export function raw(text: string): Raw {
  return new Raw(text);
}

export type ShellPart = string | number | Raw | readonly (string | number | Raw)[];

function render(part: ShellPart): string {
  if (part instanceof Raw) return part.text;
  if (Array.isArray(part)) return part.map((p: string | number | Raw) => render(p)).join(" ");
  return quote(part as string | number);
}

/**
 * Tagged template: the literal text is shell syntax, every interpolated value is quoted (arrays
 * become several arguments), except values wrapped in `raw()`.
 *   sh`test -e ${path} && cat ${path}`
 */
export function sh(strings: TemplateStringsArray, ...parts: ShellPart[]): string {
  let out = strings[0] ?? "";
  parts.forEach((part, i) => {
    out += render(part) + (strings[i + 1] ?? "");
  });
  return out;
}

/** Joins commands so that the first failure stops the rest. */
export function and(...commands: string[]): string {
  return commands.join(" && ");
}
