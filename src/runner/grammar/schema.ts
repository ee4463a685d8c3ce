// Plain helpers over JSON Schema objects, shared by the converter and allOf merging.

import { SchemaGrammarError } from "./errors.js";

export type Obj = Record<string, unknown>;

/** Nesting of subschemas the converter follows; deeper schemas are a 400, not a stack overflow. */
export const MAX_SCHEMA_DEPTH = 128;

// Keywords that only describe: nothing to enforce.
export const ANNOTATIONS = new Set([
  "title", "description", "default", "examples", "example", "$schema", "$id", "$comment", "$anchor",
  "$dynamicAnchor", "$vocabulary", "deprecated", "readOnly", "writeOnly", "contentMediaType",
  "contentEncoding", "$defs", "definitions", "nullable", "discriminator", "xml", "externalDocs",
]);

/** A plain map: a "__proto__" key in user input stays a key, never a prototype. */
export const dict = (from?: Obj): Obj => Object.assign(Object.create(null) as Obj, from);
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
export const has = (s: Obj, k: string) => Object.hasOwn(s, k);

export function describe(s: unknown): string {
  const text = JSON.stringify(s) ?? String(s);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The constraint keywords of a schema, without annotations and the combinator being expanded. */
export function siblings(s: Obj, without: string[]): Obj {
  const out = dict();
  for (const [k, v] of Object.entries(s)) if (!without.includes(k) && !ANNOTATIONS.has(k)) out[k] = v;
  return out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}

/** A count keyword (minLength, maxItems, …): a non-negative integer, or undefined when absent. */
export function count(s: Obj, key: string): number | undefined {
  const v = s[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new SchemaGrammarError(`"${key}" must be a non-negative integer, got ${describe(v)}`);
  return v;
}
