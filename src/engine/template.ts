// Values in playbooks may use inventory and topology variables with EJS tags:
//   "<%= server.vip %>/24"              -> a string (EJS, HTML escaping off)
//   "<%= layout.packages.support %>"    -> the value itself (a list here), because the tag is the
//                                          whole string: typed values survive templating
// `when`/`until` are plain JavaScript expressions over the same names. Playbooks are code the
// operator wrote, like the templates in templates/; they are trusted as such.
import ejs from "ejs";
import { inlineProblem } from "../modules/template/problem.js";

export type Scope = Record<string, unknown>;

const WHOLE_TAG = /^<%=\s*([\s\S]+?)\s*%>$/;

// Compiled once per text: every task is rendered for every host, and compiling (new Function
// behind both) costs far more than calling.
const functions = new Map<string, (...a: unknown[]) => unknown>();
const templates = new Map<string, ejs.TemplateFunction>();

const compileExpression = (names: string[], expression: string) =>
  new Function(...names, `"use strict"; return (${expression});`) as (...a: unknown[]) => unknown;

/**
 * Why `expression` is not a JavaScript expression (its SyntaxError), or undefined when it is.
 * Checked when playbooks load, so a typo in `when`/`until` stops the run before any connection.
 */
export function expressionError(expression: string): string | undefined {
  try {
    compileExpression([], expression);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Evaluates one JavaScript expression with the scope's names as variables. */
export function evaluate(expression: string, scope: Scope): unknown {
  const names = Object.keys(scope);
  const key = `${names.join(",")}\n${expression}`;
  let fn = functions.get(key);
  if (!fn) {
    fn = compileExpression(names, expression);
    functions.set(key, fn);
  }
  return fn(...names.map((n) => scope[n]));
}

function renderString(text: string, scope: Scope): unknown {
  if (!text.includes("<%")) return text;
  const whole = WHOLE_TAG.exec(text);
  if (whole?.[1] && !whole[1].includes("%>")) return evaluate(whole[1], scope);
  try {
    let template = templates.get(text);
    if (!template) {
      template = ejs.compile(text, { escape: (s: unknown) => String(s) });
      templates.set(text, template);
    }
    return template(scope);
  } catch (err) {
    throw new Error(`${JSON.stringify(text)}: ${inlineProblem(text, err)}`, { cause: err });
  }
}

/** Renders every string inside `value` (objects and arrays walked), leaving other values alone. */
export function renderValue(value: unknown, scope: Scope): unknown {
  if (typeof value === "string") return renderString(value, scope);
  if (Array.isArray(value)) {
    // A list item that is one whole tag rendering to a list is spliced in, so a playbook can
    // write `names: [vsftpd, "<%= layout.packages.support %>"]`.
    return value.flatMap((v) => {
      const r = renderValue(v, scope);
      return typeof v === "string" && WHOLE_TAG.test(v) && Array.isArray(r) ? r : [r];
    });
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, scope)]));
  }
  return value;
}
