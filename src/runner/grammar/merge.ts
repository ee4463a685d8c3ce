// allOf as one schema: the intersection of its members, keyword by keyword.

import { SchemaGrammarError } from "./errors.js";
import { ANNOTATIONS, MAX_SCHEMA_DEPTH, type Obj, deepEqual, dict, has, isObj, siblings } from "./schema.js";

/**
 * Intersection of schemas, keyword by keyword, for the keywords whose intersection is a schema
 * again; anything else is a SchemaGrammarError naming the keyword.
 */
export function mergeSchemas(parts: Obj[], depth: number, deref: (s: unknown) => Obj): Obj {
  if (depth > MAX_SCHEMA_DEPTH) throw new SchemaGrammarError(`schema nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
  // Flatten nested allOf first.
  const flat: Obj[] = [];
  const queue = [...parts];
  // The same (shared, already merged) member twice adds nothing.
  const seen = new Set<Obj>();
  while (queue.length) {
    const p = queue.shift()!;
    if (seen.has(p)) continue;
    seen.add(p);
    if (has(p, "allOf")) {
      if (!Array.isArray(p.allOf)) throw new SchemaGrammarError(`"allOf" must be an array`);
      if (flat.length + queue.length > 10_000) throw new SchemaGrammarError(`"allOf" too large`);
      queue.push(siblings(p, ["allOf"]), ...p.allOf.map((x) => deref(x)));
    } else flat.push(p);
  }
  const out = dict();
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
          const merged = dict(cur as Obj);
          for (const [pk, pv] of Object.entries(v as Obj)) merged[pk] = has(merged, pk) && merged[pk] !== pv ? { allOf: [merged[pk], pv] } : pv;
          out[k] = merged;
          break;
        }
        case "items":
        case "additionalProperties":
          out[k] = cur === false || v === false ? false : cur === true || cur === v ? v : v === true ? cur : { allOf: [cur, v] };
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
    const props = dict(out.properties);
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
