// What is wrong with a template, in one sentence with its line. EJS says it with a dump: the lines
// around the one that threw, or for code that does not compile V8's message about the function
// EJS wraps it in ("Unexpected token 'catch'" for a block a tag leaves open), with no line.
import { compileFunction } from "node:vm";
import ejs from "ejs";

/** A tag from its opening to its closing delimiter, as EJS pairs them (`<%%` is a literal). */
const TAG = /<%(?!%)[\s\S]*?%>/g;
const OPENING = /<%(?!%)/;
/** V8's message for code that ends inside a block, a bracket or a string a tag opened. */
const END_OF_INPUT = "Unexpected end of input";
/** EJS's message for an error its code threw: "file:line", the lines around it, the error. */
const RETHROWN = /^[^\n]*:(\d+)\n[\s\S]*?\n\n([\s\S]*)$/;

/** Why `text` does not compile, in EJS's words for its tags and V8's for their code. */
function compileError(text: string): string | undefined {
  const template = new ejs.Template(text, { compileDebug: false });
  try {
    template.compile();
    return undefined;
  } catch (err) {
    if (!(err instanceof SyntaxError)) return (err as Error).message;
    // The tags' code alone, out of EJS's function: V8 then names what is wrong in it.
    try {
      compileFunction(template.source, ["locals", "escapeFn", "include", "rethrow"]);
    } catch (alone) {
      return (alone as Error).message;
    }
    // EJS appends advice on a linter to V8's message.
    return err.message.split(" while compiling ejs")[0];
  }
}

const lineAt = (text: string, offset: number): number => text.slice(0, offset).split("\n").length;

/**
 * The line of what `error` says of `text`: the first tag up to which the template fails as it
 * does, or, when it ends inside a block or a tag, the first tag after the longest start of it
 * that compiles. Each start is compiled again, on this error path only.
 */
function compileErrorLine(text: string, error: string): number | undefined {
  let compiles = 0;
  for (const tag of text.matchAll(TAG)) {
    const end = tag.index + tag[0].length;
    const why = compileError(text.slice(0, end));
    if (why === undefined) compiles = end;
    else if (why === error && error !== END_OF_INPUT) return lineAt(text, tag.index);
  }
  const open = text.slice(compiles).search(OPENING);
  return open < 0 ? undefined : lineAt(text, compiles + open);
}

function sentence(error: string): string {
  if (error === END_OF_INPUT)
    return "unexpected end of template: a block, bracket or string this tag opens is never closed";
  const tag = /^Could not find matching close tag for "(.*)"\.$/.exec(error)?.[1];
  return tag === undefined ? error : `the tag ${tag} is never closed with %>`;
}

const said = (src: string, line: number | undefined, cause: string): string =>
  `template ${src}${line === undefined ? "" : `, line ${line}`}: ${cause}`;

/** What is wrong with the template `src` whose text is `text`, if it does not compile. */
export function compileProblem(src: string, text: string): string | undefined {
  const error = compileError(text);
  return error === undefined
    ? undefined
    : said(src, compileErrorLine(text, error), sentence(error));
}

/** Where in `text` and why it failed with `err` (thrown compiling or rendering it), dump left out. */
function located(text: string, err: unknown): { line: number | undefined; cause: string } {
  const error = compileError(text);
  if (error !== undefined) return { line: compileErrorLine(text, error), cause: sentence(error) };
  const message = err instanceof Error ? err.message : String(err);
  const rethrown = RETHROWN.exec(message);
  return rethrown
    ? { line: Number(rethrown[1]), cause: rethrown[2] ?? "" }
    : { line: undefined, cause: message };
}

/** What `err`, thrown by rendering the template `src`, says: the line and the error alone. */
export function renderProblem(src: string, text: string, err: unknown): string {
  const { line, cause } = located(text, err);
  return said(src, line, cause);
}

/** The same for a tagged value in a playbook, which names it: the cause alone. */
export const inlineProblem = (text: string, err: unknown): string => located(text, err).cause;
