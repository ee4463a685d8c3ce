// An array schema's grammar: tuple positions (prefixItems, or draft 4's items array with
// additionalItems), the item schema after them, and minItems/maxItems as repetition bounds.

import { SchemaGrammarError } from "./errors.js";
import { repeat } from "./gbnf.js";
import { type SchemaRules, child } from "./rules.js";
import { type Obj, count } from "./schema.js";

export function arrayGrammar(s: Obj, name: string, depth: number, rules: SchemaRules): string {
  let prefix: unknown[] = [];
  let rest: unknown = s.items;
  if (Array.isArray(s.prefixItems)) prefix = s.prefixItems;
  else if (s.prefixItems !== undefined) throw new SchemaGrammarError(`"prefixItems" must be an array`);
  if (Array.isArray(s.items)) {
    if (prefix.length) throw new SchemaGrammarError(`"items" as an array beside "prefixItems"`);
    prefix = s.items;
    rest = s.additionalItems;
  }
  const min = count(s, "minItems") ?? 0;
  let max = count(s, "maxItems");
  if (max !== undefined && max < min) throw new SchemaGrammarError(`"maxItems" ${max} is below "minItems" ${min}`);
  // Items past a tuple with no schema for them: leave them out unless minItems needs them.
  if (prefix.length && rest === undefined) max = Math.max(prefix.length, Math.min(min, max ?? min));
  if (rest === false) {
    if (min > prefix.length) throw new SchemaGrammarError(`"minItems" ${min} exceeds the ${prefix.length} items allowed`);
    max = Math.min(max ?? prefix.length, prefix.length);
  }
  if (s.uniqueItems === true && (max === undefined || max > 1)) throw new SchemaGrammarError(`keyword "uniqueItems" is not supported`);

  const space = rules.primitive("space");
  const [prefixRules, itemRule] = rules.nested(() => [
    prefix.map((p, i) => rules.visit(p, child(name, `tuple-${i}`), depth + 1)),
    rest === false || (max !== undefined && max <= prefix.length) ? undefined : rules.visit(rest ?? true, child(name, "item"), depth + 1),
  ] as const);

  const sep = `"," ${space}`;
  if (prefix.length === 0) return `"[" ${space} ${repeat(itemRule!, min, max, sep)} ${space} "]"`.replace(/ {2,}/g, " ");
  // Positions 0..n-1 take the tuple schemas, later ones the item schema; the first `min` are required.
  let tail = "";
  if (itemRule) tail = repeat(`(${sep} ${itemRule})`, Math.max(0, min - prefix.length), max === undefined ? undefined : max - prefix.length);
  for (let i = prefix.length - 1; i >= 0; i--) {
    const seq = `${i > 0 ? `${sep} ` : ""}${prefixRules[i]}${tail ? ` ${tail}` : ""}`;
    tail = i >= min ? `(${seq})?` : seq;
    if (max !== undefined && i >= max) tail = "";
  }
  return `"[" ${space} ${tail} ${space} "]"`.replace(/ {2,}/g, " ");
}
