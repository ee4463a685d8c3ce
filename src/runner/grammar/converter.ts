// JSON Schema → GBNF, with the semantics of llama.cpp's common/json-schema-to-grammar.cpp (what
// Ollama hands schemas to): the same primitives, whitespace, property order (required properties
// first, then optional ones, in declaration order; extra properties last) and integer digit
// ranges. Where llama.cpp drops a keyword it does not know or falls back to "any string", this
// converter throws SchemaGrammarError naming the keyword: a grammar either enforces every
// constraint of the schema or is not produced.

import { SchemaGrammarError } from "./errors.js";
import { classChar, literal, repeat } from "./gbnf.js";
import { type Bound, type Decimal, integerRange, numberRange, toDecimal } from "./numbers.js";
import { PRIMITIVES, STRING_FORMATS, isReserved } from "./primitives.js";
import { resolvePointer } from "./refs.js";
import { patternToGrammar } from "./regex.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = Record<string, unknown>;

/** Nesting of subschemas the converter follows; deeper schemas are a 400, not a stack overflow. */
export const MAX_SCHEMA_DEPTH = 128;
const MAX_NAME_LENGTH = 256;
/** The top-level rule's key while converting: no property name can collide with it. */
const ROOT = "\u0000root";

// Keywords that only describe: nothing to enforce.
const ANNOTATIONS = new Set([
  "title", "description", "default", "examples", "example", "$schema", "$id", "$comment", "$anchor",
  "$dynamicAnchor", "$vocabulary", "deprecated", "readOnly", "writeOnly", "contentMediaType",
  "contentEncoding", "$defs", "definitions", "nullable", "discriminator", "xml", "externalDocs",
]);

// Assertions a grammar over JSON text cannot express (or herd does not yet).
const UNSUPPORTED = [
  "not", "if", "then", "else", "patternProperties", "dependentRequired", "dependentSchemas",
  "dependencies", "contains", "minContains", "maxContains", "unevaluatedItems", "unevaluatedProperties",
  "$dynamicRef", "$recursiveRef", "contentSchema",
];

const TYPES = new Set(["string", "number", "integer", "boolean", "null", "object", "array"]);
const OBJECT_KEYS = ["properties", "required", "additionalProperties", "propertyNames", "minProperties", "maxProperties"];
const ARRAY_KEYS = ["items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems"];
const STRING_KEYS = ["pattern", "format", "minLength", "maxLength"];
const NUMBER_KEYS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const has = (s: Obj, k: string) => Object.hasOwn(s, k);

function describe(s: unknown): string {
  const text = JSON.stringify(s) ?? String(s);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function count(s: Obj, key: string): number | undefined {
  const v = s[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new SchemaGrammarError(`"${key}" must be a non-negative integer, got ${describe(v)}`);
  return v;
}

function typesOf(s: Obj): string[] | undefined {
  const t = s.type;
  if (t === undefined) return undefined;
  const list = Array.isArray(t) ? t : [t];
  for (const x of list) if (typeof x !== "string" || !TYPES.has(x)) throw new SchemaGrammarError(`unknown type ${describe(x)}`);
  return [...new Set(list as string[])];
}

function matchesType(v: unknown, type: string): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "boolean":
      return typeof v === "boolean";
    case "null":
      return v === null;
    case "object":
      return isObj(v);
    default:
      return Array.isArray(v);
  }
}

/** The constraint keywords of a schema, without annotations and the combinator being expanded. */
function siblings(s: Obj, without: string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(s)) if (!without.includes(k) && !ANNOTATIONS.has(k)) out[k] = v;
  return out;
}

export class SchemaConverter {
  private readonly rules = new Map<string, string>();
  /** $ref → its rule, reserved before the target is visited so recursive schemas terminate. */
  private readonly refRules = new Map<string, string>();
  /** $refs being expanded, with the container depth at entry (for left-recursion detection). */
  private readonly activeRefs = new Map<string, number>();
  private containers = 0;

  constructor(private readonly root: unknown) {}

  /** The whole grammar: `root` first, then every rule in name order. */
  convert(): string {
    const top = this.visit(this.root, "", 0);
    if (top !== "root") this.rules.set("root", top);
    const lines = [`root ::= ${this.rules.get("root")}`];
    for (const name of [...this.rules.keys()].sort()) if (name !== "root") lines.push(`${name} ::= ${this.rules.get(name)}`);
    return lines.join("\n") + "\n";
  }

  /** Stores `body` under a name derived from `name`, reusing an identical rule. */
  addRule(name: string, body: string): string {
    if (name === ROOT) {
      this.rules.set("root", body);
      return "root";
    }
    let base = name.replace(/[^a-zA-Z0-9-]+/g, "-").slice(0, 60) || "r";
    if (isReserved(base)) base += "-";
    if (!this.rules.has(base) || this.rules.get(base) === body) {
      this.rules.set(base, body);
      return base;
    }
    let i = 0;
    while (this.rules.has(base + i) && this.rules.get(base + i) !== body) i++;
    this.rules.set(base + i, body);
    return base + i;
  }

  private reserve(name: string): string {
    return this.addRule(name, `"\\u0000reserved:${this.rules.size}"`);
  }

  primitive(name: string): string {
    const p = PRIMITIVES[name]!;
    if (!this.rules.has(name)) {
      this.rules.set(name, p.body);
      for (const d of p.deps) this.primitive(d);
    }
    return name;
  }

  private child(name: string, suffix: string): string {
    return name ? `${name}-${suffix}` : suffix;
  }

  /** A grammar expression (usually a rule name) for values valid against `schema`. */
  visit(schema: unknown, name: string, depth: number): string {
    if (depth > MAX_SCHEMA_DEPTH) throw new SchemaGrammarError(`schema nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
    if (schema === true) return this.primitive("value");
    if (schema === false) throw new SchemaGrammarError(`the schema at ${name || "root"} is false: no value can match`);
    if (!isObj(schema)) throw new SchemaGrammarError(`a schema must be an object or a boolean, got ${describe(schema)}`);
    for (const k of UNSUPPORTED) if (has(schema, k)) throw new SchemaGrammarError(`keyword "${k}" is not supported`);
    const rule = name || ROOT;
    const at = name || "root";

    if (has(schema, "$ref")) {
      const rest = siblings(schema, ["$ref"]);
      if (Object.keys(rest).length) return this.visit({ allOf: [{ $ref: schema.$ref }, rest] }, name, depth + 1);
      return this.ref(schema.$ref, depth);
    }
    if (has(schema, "allOf")) return this.visit(this.mergeAllOf(schema, depth), name, depth + 1);
    for (const key of ["anyOf", "oneOf"]) {
      if (!has(schema, key)) continue;
      const alts = schema[key];
      if (!Array.isArray(alts) || alts.length === 0) throw new SchemaGrammarError(`"${key}" must be a non-empty array`);
      // oneOf is enforced as anyOf: exclusivity between alternatives is not expressible.
      const rest = siblings(schema, [key]);
      const parts = alts.map((alt, i) => {
        const s = Object.keys(rest).length ? { allOf: [rest, alt] } : alt;
        return this.visit(s, this.child(name, `${key === "anyOf" ? "alt" : "one"}-${i}`), depth + 1);
      });
      return this.addRule(rule, parts.join(" | "));
    }
    const types = typesOf(schema);
    if (types && types.length === 0) throw new SchemaGrammarError(`empty "type" list at ${at}: no value can match`);
    if (types && types.length > 1) {
      const parts = types.map((t) => this.visit({ ...schema, type: t }, this.child(name, t), depth + 1));
      return this.addRule(rule, parts.join(" | "));
    }
    const type = types?.[0];
    if (has(schema, "const") || has(schema, "enum")) return this.addRule(rule, this.constants(schema, type, at));
    switch (type ?? this.inferType(schema, at)) {
      case "object":
        return this.addRule(rule, this.object(schema, name, depth));
      case "array":
        return this.addRule(rule, this.array(schema, name, depth));
      case "string":
        return this.addRule(rule, this.string(schema, name));
      case "integer":
        return this.addRule(rule, this.integer(schema, at));
      case "number":
        return this.addRule(rule, this.number(schema, at));
      case "boolean":
        return this.addRule(rule, this.primitive("boolean"));
      case "null":
        return this.addRule(rule, this.primitive("null"));
      default:
        return this.addRule(rule, this.primitive("value"));
    }
  }

  /** The type implied by type-specific keywords when `type` is absent; undefined for any value. */
  private inferType(s: Obj, rule: string): string | undefined {
    const found = new Set<string>();
    for (const k of OBJECT_KEYS) if (has(s, k)) found.add("object");
    for (const k of ARRAY_KEYS) if (has(s, k)) found.add("array");
    for (const k of STRING_KEYS) if (has(s, k)) found.add("string");
    for (const k of NUMBER_KEYS) if (has(s, k)) found.add("number");
    if (found.size > 1) throw new SchemaGrammarError(`schema at ${rule} mixes keywords of ${[...found].join(" and ")} without a "type"`);
    return [...found][0];
  }

  private ref(ref: unknown, depth: number): string {
    if (typeof ref !== "string") throw new SchemaGrammarError(`$ref must be a string, got ${describe(ref)}`);
    const active = this.activeRefs.get(ref);
    if (active !== undefined && active === this.containers) {
      throw new SchemaGrammarError(`circular $ref ${JSON.stringify(ref)} refers to itself without an enclosing object or array`);
    }
    const known = this.refRules.get(ref);
    if (known) return known;
    const target = resolvePointer(this.root, ref);
    const name = this.reserve(`ref${ref.slice(1)}`);
    this.refRules.set(ref, name);
    this.activeRefs.set(ref, this.containers);
    const body = this.visit(target, `${name}-`, depth + 1);
    this.activeRefs.delete(ref);
    this.rules.set(name, body);
    return name;
  }

  private constants(s: Obj, type: string | undefined, rule: string): string {
    let values: unknown[];
    if (has(s, "const")) values = [s.const];
    else if (Array.isArray(s.enum)) values = s.enum;
    else throw new SchemaGrammarError(`"enum" must be an array at ${rule}`);
    if (has(s, "const") && Array.isArray(s.enum) && !s.enum.some((v) => deepEqual(v, s.const))) values = [];
    if (type) values = values.filter((v) => matchesType(v, type));
    if (values.length === 0) throw new SchemaGrammarError(`no value of "enum"/"const" at ${rule} fits the schema`);
    // Other assertions beside enum/const would need checking each value; say so instead.
    const extra = Object.keys(siblings(s, ["const", "enum", "type"]));
    if (extra.length) throw new SchemaGrammarError(`"${extra[0]}" beside "enum"/"const" is not supported`);
    const alts = values.map((v) => literal(JSON.stringify(v)));
    return alts.length === 1 ? alts[0]! : `(${alts.join(" | ")})`;
  }

  private object(s: Obj, name: string, depth: number): string {
    const props = s.properties === undefined ? {} : s.properties;
    if (!isObj(props)) throw new SchemaGrammarError(`"properties" must be an object`);
    const required = s.required === undefined ? [] : s.required;
    if (!Array.isArray(required) || required.some((r) => typeof r !== "string")) throw new SchemaGrammarError(`"required" must be an array of strings`);
    const additional = s.additionalProperties;
    if (additional !== undefined && typeof additional !== "boolean" && !isObj(additional)) {
      throw new SchemaGrammarError(`"additionalProperties" must be a boolean or a schema`);
    }
    if (has(s, "propertyNames") && !isTrivialPropertyNames(s.propertyNames)) throw new SchemaGrammarError(`keyword "propertyNames" is not supported`);
    const entries = Object.entries(props);
    // A required name absent from properties takes the additionalProperties schema.
    for (const r of required as string[]) {
      if (Object.hasOwn(props, r)) continue;
      if (additional === false) throw new SchemaGrammarError(`required property "${r}" is not allowed by additionalProperties: false`);
      entries.push([r, additional ?? true]);
    }
    // As llama.cpp: with properties listed, an absent additionalProperties means none (a narrower,
    // valid set); with none listed, any object.
    if (entries.length === 0 && (additional === undefined || additional === true)) {
      this.checkPropertyCounts(s, 0, true);
      return this.primitive("object");
    }
    const extra = additional === true || isObj(additional);
    this.checkPropertyCounts(s, required.length, extra, entries.length);

    this.containers++;
    const space = this.primitive("space");
    const kv = new Map<string, string>();
    const req: string[] = [];
    const opt: string[] = [];
    const requiredSet = new Set(required as string[]);
    for (const [key, sub] of entries) {
      const valueRule = this.visit(sub, this.child(name, key), depth + 1);
      kv.set(key, this.addRule(this.child(name, `${key}-kv`), `${literal(JSON.stringify(key))} ${space} ":" ${space} ${valueRule}`));
      (requiredSet.has(key) ? req : opt).push(key);
    }
    let extraKv: string | undefined;
    if (extra) {
      const sub = this.child(name, "additional");
      const value = isObj(additional) ? this.visit(additional, `${sub}-value`, depth + 1) : this.primitive("value");
      const key = entries.length ? this.addRule(`${sub}-k`, this.notStrings(entries.map(([k]) => k))) : this.primitive("string");
      extraKv = this.addRule(`${sub}-kv`, `${key} ":" ${space} ${value}`);
    }
    this.containers--;

    const comma = (r: string) => `"," ${space} ${r}`;
    let body = `"{" ${space} ${req.map((k) => kv.get(k)!).join(` "," ${space} `)}`;
    // Optional properties, in order, any subset; extra properties after them.
    const optRules = opt.map((k) => kv.get(k)!);
    const tails: string[] = [];
    let tail = extraKv ? `(${comma(extraKv)})*` : "";
    for (let i = optRules.length - 1; i >= 0; i--) {
      tails[i] = tail;
      const next = `(${comma(optRules[i]!)})? ${tail}`.trim();
      tail = i > 0 ? this.addRule(this.child(name, `${opt[i]}-rest`), next) : next;
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

  private checkPropertyCounts(s: Obj, minPossible: number, unbounded: boolean, maxPossible = 0): void {
    const min = count(s, "minProperties");
    const max = count(s, "maxProperties");
    if (min !== undefined && min > minPossible) throw new SchemaGrammarError(`"minProperties" above the number of required properties is not supported`);
    if (max !== undefined && (unbounded || max < maxPossible)) throw new SchemaGrammarError(`"maxProperties" is only supported when no more properties than that can occur`);
  }

  /** A JSON string that is none of `names` (the keys left for additional properties). */
  private notStrings(names: string[]): string {
    type Node = { children: Map<string, Node>; end: boolean };
    const trie: Node = { children: new Map(), end: false };
    for (const n of names) {
      // The trie's depth becomes nested parentheses, which llama.cpp parses recursively.
      if (n.length > MAX_NAME_LENGTH) throw new SchemaGrammarError(`a property name longer than ${MAX_NAME_LENGTH} characters beside additionalProperties is not supported`);
      let node = trie;
      for (const ch of n) {
        let next = node.children.get(ch);
        if (!next) node.children.set(ch, (next = { children: new Map(), end: false }));
        node = next;
      }
      node.end = true;
    }
    const char = this.primitive("char");
    // At each trie node: a listed next character and what may follow it, or any other character
    // (written raw: no escape sequences, no control characters) and then anything.
    const out: string[] = [];
    const stack: (Node | string)[] = [trie];
    while (stack.length) {
      const item = stack.pop()!;
      if (typeof item === "string") {
        out.push(item);
        continue;
      }
      const parts: (Node | string)[] = [];
      let rejects = "";
      for (const [ch, child] of item.children) {
        rejects += classChar(ch.codePointAt(0)!);
        const lit = literal(JSON.stringify(ch).slice(1, -1));
        if (child.children.size) parts.push(`${lit} (`, child, child.end ? ") | " : ")? | ");
        else parts.push(`${lit} ${char}+ | `);
      }
      parts.push(`[^"\\\\\\x00-\\x1F${rejects}] ${char}*`);
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]!);
    }
    return `"\\"" (${out.join("")})${trie.end ? "" : "?"} "\\""`;
  }

  private array(s: Obj, name: string, depth: number): string {
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

    this.containers++;
    const space = this.primitive("space");
    const prefixRules = prefix.map((p, i) => this.visit(p, this.child(name, `tuple-${i}`), depth + 1));
    const itemRule = rest === false || (max !== undefined && max <= prefix.length) ? undefined : this.visit(rest ?? true, this.child(name, "item"), depth + 1);
    this.containers--;

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

  private string(s: Obj, name: string): string {
    const minLength = count(s, "minLength");
    const maxLength = count(s, "maxLength");
    const lengths = minLength !== undefined || maxLength !== undefined;
    if (has(s, "pattern")) {
      if (typeof s.pattern !== "string") throw new SchemaGrammarError(`"pattern" must be a string`);
      if (lengths) throw new SchemaGrammarError(`"pattern" together with "minLength"/"maxLength" is not supported`);
      return patternToGrammar(s.pattern, this.child(name, "pattern"), this, () => this.primitive("char"));
    }
    if (has(s, "format")) {
      const format = s.format;
      const rule = typeof format === "string" ? (STRING_FORMATS[format] ?? (/^uuid[1-5]$/.test(format) ? "uuid" : undefined)) : undefined;
      if (!rule) throw new SchemaGrammarError(`string format ${describe(format)} is not supported`);
      if (lengths) throw new SchemaGrammarError(`"format" together with "minLength"/"maxLength" is not supported`);
      return this.primitive(rule);
    }
    if (!lengths) return this.primitive("string");
    return `"\\"" ${repeat(this.primitive("char"), minLength ?? 0, maxLength)} "\\""`.replace(/ {2,}/g, " ");
  }

  private bounds(s: Obj): { lo?: Bound; hi?: Bound } {
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

  private integer(s: Obj, rule: string): string {
    if (has(s, "multipleOf") && s.multipleOf !== 1) throw new SchemaGrammarError(`keyword "multipleOf" is not supported`);
    const { lo, hi } = this.bounds(s);
    if (!lo && !hi) return this.primitive("integer");
    const loInt = lo && ceilOf(lo.value) + (lo.exclusive && isInteger(lo.value) ? 1n : 0n);
    const hiInt = hi && floorOf(hi.value) - (hi.exclusive && isInteger(hi.value) ? 1n : 0n);
    const g = integerRange(loInt, hiInt);
    if (!g) throw new SchemaGrammarError(`no integer lies in the range at ${rule}`);
    return g;
  }

  private number(s: Obj, rule: string): string {
    if (has(s, "multipleOf")) throw new SchemaGrammarError(`keyword "multipleOf" is not supported`);
    const { lo, hi } = this.bounds(s);
    if (!lo && !hi) return this.primitive("number");
    const g = numberRange(lo, hi);
    if (!g) throw new SchemaGrammarError(`no number lies in the range at ${rule}`);
    return g;
  }

  /** allOf (and a $ref with sibling keywords) as one merged schema. */
  private mergeAllOf(s: Obj, depth: number): Obj {
    if (!Array.isArray(s.allOf) || s.allOf.length === 0) throw new SchemaGrammarError(`"allOf" must be a non-empty array`);
    const parts: unknown[] = [siblings(s, ["allOf"]), ...s.allOf];
    return mergeSchemas(parts.map((p) => this.deref(p, depth)), depth, (p) => this.deref(p, depth));
  }

  /** Follows $ref chains to a schema without a top-level $ref (siblings merged in). */
  private deref(s: unknown, depth: number): Obj {
    const seen = new Set<string>();
    let cur = s;
    for (;;) {
      if (cur === true) return {};
      if (cur === false) throw new SchemaGrammarError(`an allOf member is false: no value can match`);
      if (!isObj(cur)) throw new SchemaGrammarError(`a schema must be an object or a boolean, got ${describe(cur)}`);
      if (!has(cur, "$ref")) return cur;
      const ref = cur.$ref;
      if (typeof ref !== "string") throw new SchemaGrammarError(`$ref must be a string`);
      if (seen.has(ref)) throw new SchemaGrammarError(`circular $ref ${JSON.stringify(ref)}`);
      if (seen.size > MAX_SCHEMA_DEPTH || depth > MAX_SCHEMA_DEPTH) throw new SchemaGrammarError(`$ref chain longer than ${MAX_SCHEMA_DEPTH}`);
      seen.add(ref);
      const rest = siblings(cur, ["$ref"]);
      const target = resolvePointer(this.root, ref);
      cur = Object.keys(rest).length ? { allOf: [target, rest] } : target;
      if (isObj(cur) && has(cur, "allOf")) cur = this.mergeAllOf(cur, depth + 1);
    }
  }
}

function isTrivialPropertyNames(p: unknown): boolean {
  if (p === true) return true;
  if (!isObj(p)) return false;
  const rest = siblings(p, []);
  return Object.keys(rest).length === 0 || (Object.keys(rest).length === 1 && rest.type === "string");
}

function isInteger(d: Decimal): boolean {
  return d.frac === "";
}

function floorOf(d: Decimal): bigint {
  return d.negative ? -d.int - (d.frac ? 1n : 0n) : d.int;
}

function ceilOf(d: Decimal): bigint {
  return d.negative ? -d.int : d.int + (d.frac ? 1n : 0n);
}

function compareDecimals(a: Decimal, b: Decimal): number {
  const key = (d: Decimal): [bigint, string] => [d.negative ? -d.int : d.int, d.frac];
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const [ai, af] = key(a);
  const [bi, bf] = key(b);
  if (ai !== bi) return ai < bi ? -1 : 1;
  const len = Math.max(af.length, bf.length);
  const c = af.padEnd(len, "0").localeCompare(bf.padEnd(len, "0"));
  return a.negative ? -c : c;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}

/**
 * Intersection of schemas, keyword by keyword, for the keywords whose intersection is a schema
 * again; anything else is a SchemaGrammarError naming the keyword.
 */
export function mergeSchemas(parts: Obj[], depth: number, deref: (s: unknown) => Obj): Obj {
  if (depth > MAX_SCHEMA_DEPTH) throw new SchemaGrammarError(`schema nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
  // Flatten nested allOf first.
  const flat: Obj[] = [];
  const queue = [...parts];
  while (queue.length) {
    const p = queue.shift()!;
    if (has(p, "allOf")) {
      if (!Array.isArray(p.allOf)) throw new SchemaGrammarError(`"allOf" must be an array`);
      if (flat.length + queue.length > 10_000) throw new SchemaGrammarError(`"allOf" too large`);
      queue.push(siblings(p, ["allOf"]), ...p.allOf.map((x) => deref(x)));
    } else flat.push(p);
  }
  const out: Obj = {};
  const propsOf = (p: Obj) => (isObj(p.properties) ? p.properties : {});
  for (const p of flat) {
    for (const [k, v] of Object.entries(p)) {
      if (ANNOTATIONS.has(k)) continue;
      if (!has(out, k)) {
        out[k] = v;
        continue;
      }
      const cur = out[k];
      switch (k) {
        case "type": {
          const a = Array.isArray(cur) ? cur : [cur];
          const b = Array.isArray(v) ? v : [v];
          const both = a.filter((t) => b.includes(t) || (t === "integer" && b.includes("number")));
          for (const t of b) if (t === "integer" && a.includes("number") && !both.includes(t)) both.push(t);
          if (both.length === 0) throw new SchemaGrammarError(`allOf members have no type in common: no value can match`);
          out[k] = both;
          break;
        }
        case "required":
          out[k] = [...new Set([...(cur as string[]), ...(v as string[])])];
          break;
        case "properties": {
          const merged: Obj = { ...(cur as Obj) };
          for (const [pk, pv] of Object.entries(v as Obj)) merged[pk] = has(merged, pk) ? { allOf: [merged[pk], pv] } : pv;
          out[k] = merged;
          break;
        }
        case "items":
        case "additionalProperties":
          out[k] = cur === false || v === false ? false : cur === true ? v : v === true ? cur : { allOf: [cur, v] };
          break;
        case "enum":
          out[k] = (cur as unknown[]).filter((x) => (v as unknown[]).some((y) => deepEqual(x, y)));
          break;
        case "minimum":
        case "exclusiveMinimum":
        case "minLength":
        case "minItems":
          out[k] = Math.max(cur as number, v as number);
          break;
        case "maximum":
        case "exclusiveMaximum":
        case "maxLength":
        case "maxItems":
          out[k] = Math.min(cur as number, v as number);
          break;
        default:
          if (!deepEqual(cur, v)) throw new SchemaGrammarError(`allOf members with different "${k}" cannot be combined`);
      }
    }
  }
  // A member closing its properties (additionalProperties) constrains the others' properties too.
  if (isObj(out.properties)) {
    const props: Obj = { ...out.properties };
    const required = new Set(Array.isArray(out.required) ? (out.required as string[]) : []);
    for (const p of flat) {
      if (!has(p, "additionalProperties") || p.additionalProperties === true) continue;
      const own = propsOf(p);
      for (const name of Object.keys(props)) {
        if (has(own, name)) continue;
        if (p.additionalProperties === false) {
          if (required.has(name)) throw new SchemaGrammarError(`allOf: required property "${name}" is excluded by another member's additionalProperties: false`);
          delete props[name];
        } else props[name] = { allOf: [props[name], p.additionalProperties] };
      }
    }
    out.properties = props;
  }
  if (Array.isArray(out.type) && out.type.length === 1) out.type = out.type[0];
  return out;
}
