// JSON Schema → GBNF, with the semantics of llama.cpp's common/json-schema-to-grammar.cpp (what
// Ollama hands schemas to): the same primitives, whitespace, property order (required properties
// first, then optional ones, in declaration order; extra properties last) and integer digit
// ranges. Where llama.cpp drops a keyword it does not know or falls back to "any string", this
// converter throws SchemaGrammarError naming the keyword: a grammar either enforces every
// constraint of the schema or is not produced.

import { arrayGrammar } from "./array-schema.js";
import { SchemaGrammarError } from "./errors.js";
import { literal } from "./gbnf.js";
import { mergeSchemas } from "./merge.js";
import { integerGrammar, numberGrammar } from "./number-schema.js";
import { objectGrammar } from "./object-schema.js";
import { PRIMITIVES, isReserved } from "./primitives.js";
import { resolvePointer } from "./refs.js";
import { type SchemaRules, child } from "./rules.js";
import { MAX_SCHEMA_DEPTH, type Obj, deepEqual, describe, has, isObj, siblings } from "./schema.js";
import { stringGrammar } from "./string-schema.js";
import { inferType, matchesType, typesOf } from "./types.js";

export { MAX_SCHEMA_DEPTH } from "./schema.js";

/** The top-level rule's key while converting: no property name can collide with it. */
const ROOT = "\u0000root";

// Assertions a grammar over JSON text cannot express (or herd does not yet).
const UNSUPPORTED = [
  "not", "if", "then", "else", "patternProperties", "dependentRequired", "dependentSchemas",
  "dependencies", "contains", "minContains", "maxContains", "unevaluatedItems", "unevaluatedProperties",
  "$dynamicRef", "$recursiveRef", "contentSchema",
];

export class SchemaConverter implements SchemaRules {
  private readonly rules = new Map<string, string>();
  /** $ref → its rule, reserved before the target is visited so recursive schemas terminate. */
  private readonly refRules = new Map<string, string>();
  /** $refs being expanded, with the container depth at entry (for left-recursion detection). */
  private readonly activeRefs = new Map<string, number>();
  private containers = 0;
  /** Merged form of each $ref target that allOf reached: a shared definition is merged once. */
  private readonly merged = new Map<string, Obj>();

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

  nested<T>(build: () => T): T {
    this.containers++;
    try {
      return build();
    } finally {
      this.containers--;
    }
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
        return this.visit(s, child(name, `${key === "anyOf" ? "alt" : "one"}-${i}`), depth + 1);
      });
      return this.addRule(rule, parts.join(" | "));
    }
    const types = typesOf(schema);
    if (types && types.length === 0) throw new SchemaGrammarError(`empty "type" list at ${at}: no value can match`);
    if (types && types.length > 1) {
      // With enum/const, a type none of the values has contributes nothing.
      const values = has(schema, "const") ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : undefined;
      const live = values ? types.filter((t) => values.some((v) => matchesType(v, t))) : types;
      if (live.length === 0) throw new SchemaGrammarError(`no value of "enum"/"const" at ${at} fits the schema`);
      const parts = live.map((t) => this.visit({ ...schema, type: t }, child(name, t), depth + 1));
      return this.addRule(rule, parts.join(" | "));
    }
    const type = types?.[0];
    if (has(schema, "const") || has(schema, "enum")) return this.addRule(rule, this.constants(schema, type, at));
    switch (type ?? inferType(schema, at)) {
      case "object":
        return this.addRule(rule, objectGrammar(schema, name, depth, this));
      case "array":
        return this.addRule(rule, arrayGrammar(schema, name, depth, this));
      case "string":
        return this.addRule(rule, stringGrammar(schema, name, this));
      case "integer":
        return this.addRule(rule, integerGrammar(schema, at, this));
      case "number":
        return this.addRule(rule, numberGrammar(schema, at, this));
      case "boolean":
        return this.addRule(rule, this.primitive("boolean"));
      case "null":
        return this.addRule(rule, this.primitive("null"));
      default:
        return this.addRule(rule, this.primitive("value"));
    }
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
      let target = this.merged.get(ref) ?? resolvePointer(this.root, ref);
      if (isObj(target) && has(target, "allOf")) {
        const flat = this.mergeAllOf(target, depth + 1);
        this.merged.set(ref, flat);
        target = flat;
      }
      cur = Object.keys(rest).length ? { allOf: [target, rest] } : target;
      if (isObj(cur) && has(cur, "allOf")) cur = this.mergeAllOf(cur, depth + 1);
    }
  }
}
