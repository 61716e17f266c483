// The small error tree of ksorch. Each class maps to one exit code in src/cli/main.ts, the only
// place that exits. Errors keep what caused them as `cause`.

/** One problem in a user's file, with where it is and what would be valid. */
export interface Diagnostic {
  file: string;
  line?: number;
  column?: number;
  /** Dotted path of the field, e.g. `clients.client2.mac`. */
  field?: string;
  message: string;
  /** What would be valid, shown after the message. */
  hint?: string;
}

/** Longest user text an error shows; a 50 MB value took 13 s and 1.9 GB to print in full. */
export const MAX_SHOWN = 300;

const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Text a user or a file system wrote, safe for one line of a terminal: control characters
 * escaped (an escape sequence in a value must not move the cursor or recolour the screen) and
 * cut to `max` characters.
 */
export function printable(text: string, max = MAX_SHOWN): string {
  const cut = text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
  // eslint-disable-next-line no-control-regex -- control characters are what is matched
  return cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    return ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file, d.line, d.column].filter((p) => p !== undefined).join(":");
  const field = d.field ? ` ${d.field}:` : "";
  const hint = d.hint ? ` (${d.hint})` : "";
  return printable(`${where}:${field} ${d.message}${hint}`, 3 * MAX_SHOWN);
}

/** Bad input: usage, inventory, playbook. Exit 2; nothing on any server has been touched. */
export class InputError extends Error {
  override name = "InputError";
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A host could not be reached or refused us. Exit 1. */
export class ConnectError extends Error {
  override name = "ConnectError";
  constructor(
    readonly host: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${host}: ${message}`, options);
  }
}

/** A task, lab operation or drill failed on a host. Exit 1. */
export class TaskError extends Error {
  override name = "TaskError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
