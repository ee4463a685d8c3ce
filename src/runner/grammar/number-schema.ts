// Integer and number schemas: minimum/maximum in both drafts' spellings (draft 4's boolean
// exclusiveMinimum/exclusiveMaximum beside the bound, later drafts' numeric ones) as digit-range
// grammars (numbers.ts). multipleOf is refused: a grammar over digits cannot check divisibility.

import { SchemaGrammarError } from "./errors.js";
import { type Bound, type Decimal, ceilOf, compareDecimals, floorOf, integerRange, isInteger, numberRange, toDecimal } from "./numbers.js";
import type { SchemaRules } from "./rules.js";
import { type Obj, has } from "./schema.js";

/** The tightest lower and upper bound the schema states. */
function bounds(s: Obj): { lo?: Bound; hi?: Bound } {
  const num = (k: string): Decimal | undefined => {
    const v = s[k];
    if (v === undefined || typeof v === "boolean") return undefined;
    if (typeof v !== "number" || !Number.isFinite(v)) throw new SchemaGrammarError(`"${k}" must be a number`);
    return toDecimal(v);
  };
  const tighter = (a: Bound | undefined, b: Bound | undefined, lower: boolean): Bound | undefined => {
    if (!a || !b) return a ?? b;
    const c = compareDecimals(a.value, b.value);
    if (c === 0) return a.exclusive ? a : b;
    return (c > 0) === lower ? a : b;
  };
  // Draft 4 spells exclusivity as a boolean beside minimum/maximum.
  const minimum = num("minimum");
  const maximum = num("maximum");
  const lo = tighter(minimum && { value: minimum, exclusive: s.exclusiveMinimum === true }, num("exclusiveMinimum") && { value: num("exclusiveMinimum")!, exclusive: true }, true);
  const hi = tighter(maximum && { value: maximum, exclusive: s.exclusiveMaximum === true }, num("exclusiveMaximum") && { value: num("exclusiveMaximum")!, exclusive: true }, false);
  return { lo, hi };
}

export function integerGrammar(s: Obj, rule: string, rules: SchemaRules): string {
  if (has(s, "multipleOf") && s.multipleOf !== 1) throw new SchemaGrammarError(`keyword "multipleOf" is not supported`);
  const { lo, hi } = bounds(s);
  if (!lo && !hi) return rules.primitive("integer");
  const loInt = lo && ceilOf(lo.value) + (lo.exclusive && isInteger(lo.value) ? 1n : 0n);
  const hiInt = hi && floorOf(hi.value) - (hi.exclusive && isInteger(hi.value) ? 1n : 0n);
  const g = integerRange(loInt, hiInt);
  if (!g) throw new SchemaGrammarError(`no integer lies in the range at ${rule}`);
  return g;
}

export function numberGrammar(s: Obj, rule: string, rules: SchemaRules): string {
  if (has(s, "multipleOf")) throw new SchemaGrammarError(`keyword "multipleOf" is not supported`);
  const { lo, hi } = bounds(s);
  if (!lo && !hi) return rules.primitive("number");
  const g = numberRange(lo, hi);
  if (!g) throw new SchemaGrammarError(`no number lies in the range at ${rule}`);
  return g;
}
