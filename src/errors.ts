// The small error tree of ksorch. Each class maps to one exit code in src/cli/report.ts; src/cli/
// main.ts is the only place that exits. Errors keep what caused them as `cause`.

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
 * C0 and C1 control characters, the line and paragraph separators, and the bidirectional
 * embeddings, overrides and isolates that reorder what a terminal shows ("Trojan Source").
 */
// eslint-disable-next-line no-control-regex -- control characters are what is matched
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `\x1b` for a character of one byte, `\u202e` for the others. */
function escaped(c: string): string {
  const code = c.charCodeAt(0);
  return code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, "0")}`;
}

/**
 * Text a user or a file system wrote, safe for one line of a terminal: the UNSAFE characters
 * escaped (an escape sequence in a value must not move the cursor, recolour the screen or turn
 * text around) and cut to `max` characters.
 */
export function printable(text: string, max = MAX_SHOWN): string {
  const cut = text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
  return cut.replace(UNSAFE, (c) => ESCAPES[c] ?? escaped(c));
}

/** Longest field path shown: it holds names as written, which may be anything. */
const MAX_FIELD = 100;

export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file, d.line, d.column].filter((p) => p !== undefined).join(":");
  // Field and message cut apart: a huge name or value must not push the rest off the line.
  const field = d.field ? ` ${printable(d.field, MAX_FIELD)}:` : "";
  const hint = d.hint ? ` (${d.hint})` : "";
  return printable(`${where}:${field} ${printable(d.message)}${hint}`, 3 * MAX_SHOWN);
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
