// Values in playbooks may use inventory and topology variables with EJS tags:
//   "<%= server.vip %>/24"              -> a string (EJS, HTML escaping off)
//   "<%= layout.packages.support %>"    -> the value itself (a list here), because the tag is the
//                                          whole string: typed values survive templating
// `when`/`until` are plain JavaScript expressions over the same names. Playbooks are code the
// operator wrote, like the templates in templates/; they are trusted as such.
import ejs from "ejs";

export type Scope = Record<string, unknown>;

const WHOLE_TAG = /^<%=\s*([\s\S]+?)\s*%>$/;

/** Evaluates one JavaScript expression with the scope's names as variables. */
export function evaluate(expression: string, scope: Scope): unknown {
  const names = Object.keys(scope);
  const fn = new Function(...names, `"use strict"; return (${expression});`) as (
    ...a: unknown[]
  ) => unknown;
  return fn(...names.map((n) => scope[n]));
}

function renderString(text: string, scope: Scope): unknown {
  if (!text.includes("<%")) return text;
  const whole = WHOLE_TAG.exec(text);
  if (whole?.[1] && !whole[1].includes("%>")) return evaluate(whole[1], scope);
  return ejs.render(text, scope, { escape: (s: unknown) => String(s) });
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
