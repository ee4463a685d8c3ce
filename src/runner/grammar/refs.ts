// Local `$ref` resolution: JSON pointers into the root schema (`#`, `#/$defs/x`,
// `#/definitions/x`, `#/properties/a/items`). Remote references would mean fetching from the
// network on a user's behalf: refused with a clear error.

import { SchemaGrammarError } from "./errors.js";

function unescapeToken(token: string): string {
  let t = token;
  try {
    t = decodeURIComponent(t);
  } catch {
    throw new SchemaGrammarError(`malformed $ref segment ${JSON.stringify(token)}`);
  }
  return t.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** The subschema `ref` points at, walked iteratively (a pointer may be very long). */
export function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) {
    throw new SchemaGrammarError(`remote $ref ${JSON.stringify(ref)} is not supported (only local references like "#/$defs/name")`);
  }
  const pointer = ref.slice(1);
  if (pointer === "") return root;
  if (!pointer.startsWith("/")) throw new SchemaGrammarError(`$ref ${JSON.stringify(ref)}: anchors are not supported, use a JSON pointer`);
  let target: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = unescapeToken(raw);
    if (Array.isArray(target) && /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < target.length) target = target[Number(key)];
    else if (target !== null && typeof target === "object" && !Array.isArray(target) && Object.hasOwn(target, key)) {
      target = (target as Record<string, unknown>)[key];
    } else throw new SchemaGrammarError(`$ref ${JSON.stringify(ref)} does not resolve`);
  }
  return target;
}
