// A string schema's grammar: its keyword family pattern, format, minLength and maxLength. A
// pattern or format beside length bounds is accepted only when it already keeps within them.

import { SchemaGrammarError } from "./errors.js";
import { repeat } from "./gbnf.js";
import { FORMAT_LENGTHS, STRING_FORMATS } from "./primitives.js";
import { patternToGrammar } from "./regex.js";
import { type SchemaRules, child } from "./rules.js";
import { type Obj, count, describe, has } from "./schema.js";

export function stringGrammar(s: Obj, name: string, rules: SchemaRules): string {
  const minLength = count(s, "minLength");
  const maxLength = count(s, "maxLength");
  const lengths = minLength !== undefined || maxLength !== undefined;
  if (has(s, "pattern")) {
    if (typeof s.pattern !== "string") throw new SchemaGrammarError(`"pattern" must be a string`);
    const p = patternToGrammar(s.pattern, child(name, "pattern"), rules, () => rules.primitive("char"));
    if ((minLength ?? 0) > p.minLength || (maxLength ?? Infinity) < p.maxLength) {
      throw new SchemaGrammarError(`"pattern" together with "minLength"/"maxLength" is only supported when the pattern's own lengths lie within them`);
    }
    return p.grammar;
  }
  if (has(s, "format")) {
    const format = s.format;
    const rule = typeof format === "string" ? (STRING_FORMATS[format] ?? (/^uuid[1-5]$/.test(format) ? "uuid" : undefined)) : undefined;
    if (!rule) throw new SchemaGrammarError(`string format ${describe(format)} is not supported`);
    const [lo, hi] = FORMAT_LENGTHS[rule]!;
    if ((minLength ?? 0) > lo || (maxLength ?? Infinity) < hi) {
      throw new SchemaGrammarError(`format ${describe(format)} together with "minLength"/"maxLength" is only supported when every ${format} fits them (${lo}..${hi} characters)`);
    }
    return rules.primitive(rule);
  }
  if (!lengths) return rules.primitive("string");
  return `"\\"" ${repeat(rules.primitive("char"), minLength ?? 0, maxLength)} "\\""`.replace(/ {2,}/g, " ");
}
