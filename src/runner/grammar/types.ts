// JSON Schema's `type`: the list a schema names, whether a value has a type, and the type that
// type-specific keywords imply when `type` is absent.

import { SchemaGrammarError } from "./errors.js";
import { type Obj, describe, has, isObj } from "./schema.js";

const TYPES = new Set(["string", "number", "integer", "boolean", "null", "object", "array"]);
const KEYWORDS: [type: string, keys: string[]][] = [
  ["object", ["properties", "required", "additionalProperties", "propertyNames", "minProperties", "maxProperties"]],
  ["array", ["items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems"]],
  ["string", ["pattern", "format", "minLength", "maxLength"]],
  ["number", ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]],
];

/** The distinct types `s.type` names; undefined without `type`. */
export function typesOf(s: Obj): string[] | undefined {
  const t = s.type;
  if (t === undefined) return undefined;
  const list = Array.isArray(t) ? t : [t];
  for (const x of list) if (typeof x !== "string" || !TYPES.has(x)) throw new SchemaGrammarError(`unknown type ${describe(x)}`);
  return [...new Set(list as string[])];
}

export function matchesType(v: unknown, type: string): boolean {
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

/** The type implied by type-specific keywords when `type` is absent; undefined for any value. */
export function inferType(s: Obj, rule: string): string | undefined {
  const found = new Set<string>();
  for (const [type, keys] of KEYWORDS) for (const k of keys) if (has(s, k)) found.add(type);
  if (found.size > 1) throw new SchemaGrammarError(`schema at ${rule} mixes keywords of ${[...found].join(" and ")} without a "type"`);
  return [...found][0];
}
