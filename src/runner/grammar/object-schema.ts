// An object schema's grammar, in llama.cpp's property order: required properties first, then the
// optional ones in declaration order (any subset), extra properties last.

import { SchemaGrammarError } from "./errors.js";
import { literal } from "./gbnf.js";
import { notStrings } from "./not-strings.js";
import { type SchemaRules, child } from "./rules.js";
import { type Obj, count, has, isObj, siblings } from "./schema.js";

export function objectGrammar(s: Obj, name: string, depth: number, rules: SchemaRules): string {
  const props = s.properties === undefined ? {} : s.properties;
  if (!isObj(props)) throw new SchemaGrammarError(`"properties" must be an object`);
  const required = s.required === undefined ? [] : s.required;
  if (!Array.isArray(required) || required.some((r) => typeof r !== "string")) throw new SchemaGrammarError(`"required" must be an array of strings`);
  const additional = s.additionalProperties;
  if (additional !== undefined && typeof additional !== "boolean" && !isObj(additional)) {
    throw new SchemaGrammarError(`"additionalProperties" must be a boolean or a schema`);
  }
  const keyNames = has(s, "propertyNames") && !isTrivialPropertyNames(s.propertyNames) ? s.propertyNames : undefined;
  const entries = Object.entries(props);
  // A required name absent from properties takes the additionalProperties schema.
  for (const r of required as string[]) {
    if (Object.hasOwn(props, r)) continue;
    if (additional === false) throw new SchemaGrammarError(`required property "${r}" is not allowed by additionalProperties: false`);
    entries.push([r, additional ?? true]);
  }
  // As llama.cpp: with properties listed, an absent additionalProperties means none (a narrower,
  // valid set); with none listed, any object.
  if (entries.length === 0 && (additional === undefined || additional === true) && keyNames === undefined) {
    checkPropertyCounts(s, 0, true);
    return rules.primitive("object");
  }
  if (keyNames !== undefined && additional === false) throw new SchemaGrammarError(`"propertyNames" with additionalProperties: false is not supported`);
  const extra = additional === undefined ? keyNames !== undefined : additional === true || isObj(additional);
  checkPropertyCounts(s, required.length, extra, entries.length);

  const space = rules.primitive("space");
  const kv = new Map<string, string>();
  const req: string[] = [];
  const opt: string[] = [];
  const requiredSet = new Set(required as string[]);
  const extraKv = rules.nested(() => {
    for (const [key, sub] of entries) {
      const valueRule = rules.visit(sub, child(name, key), depth + 1);
      kv.set(key, rules.addRule(child(name, `${key}-kv`), `${literal(JSON.stringify(key))} ${space} ":" ${space} ${valueRule}`));
      (requiredSet.has(key) ? req : opt).push(key);
    }
    if (!extra) return undefined;
    const sub = child(name, "additional");
    const value = isObj(additional) ? rules.visit(additional, `${sub}-value`, depth + 1) : rules.primitive("value");
    let key: string;
    if (keyNames !== undefined) {
      // Keys of a record (zod's z.record): a string schema; beside declared properties it would
      // have to exclude their names too, which one grammar rule cannot say.
      if (entries.length) throw new SchemaGrammarError(`"propertyNames" beside "properties" is not supported`);
      key = rules.visit({ allOf: [{ type: "string" }, keyNames] }, `${sub}-k`, depth + 1);
    } else key = entries.length ? rules.addRule(`${sub}-k`, notStrings(entries.map(([k]) => k), rules.primitive("char"))) : rules.primitive("string");
    return rules.addRule(`${sub}-kv`, `${key} ":" ${space} ${value}`);
  });

  const comma = (r: string) => `"," ${space} ${r}`;
  let body = `"{" ${space} ${req.map((k) => kv.get(k)!).join(` "," ${space} `)}`;
  // Optional properties, in order, any subset; extra properties after them.
  const optRules = opt.map((k) => kv.get(k)!);
  const tails: string[] = [];
  let tail = extraKv ? `(${comma(extraKv)})*` : "";
  for (let i = optRules.length - 1; i >= 0; i--) {
    tails[i] = tail;
    const next = `(${comma(optRules[i]!)})? ${tail}`.trim();
    tail = i > 0 ? rules.addRule(child(name, `${opt[i]}-rest`), next) : next;
  }
  if (req.length) {
    if (tail) body += ` ${tail}`;
  } else {
    const firsts = optRules.map((r, i) => `${r} ${tails[i]}`.trim());
    if (extraKv) firsts.push(`${extraKv} (${comma(extraKv)})*`);
    if (firsts.length) body += `(${firsts.join(" | ")})?`;
  }
  return `${body} ${space} "}"`;
}

function checkPropertyCounts(s: Obj, minPossible: number, unbounded: boolean, maxPossible = 0): void {
  const min = count(s, "minProperties");
  const max = count(s, "maxProperties");
  if (min !== undefined && min > minPossible) throw new SchemaGrammarError(`"minProperties" above the number of required properties is not supported`);
  if (max !== undefined && (unbounded || max < maxPossible)) throw new SchemaGrammarError(`"maxProperties" is only supported when no more properties than that can occur`);
}

/** propertyNames that allow every key: no constraint on the keys of additional properties. */
function isTrivialPropertyNames(p: unknown): boolean {
  if (p === true) return true;
  if (!isObj(p)) return false;
  const rest = siblings(p, []);
  return Object.keys(rest).length === 0 || (Object.keys(rest).length === 1 && rest.type === "string");
}
