// Ollama's `format` as a GBNF grammar for llama.cpp's grammar sampler.

import { SchemaConverter } from "./converter.js";
import { SchemaGrammarError } from "./errors.js";

export { SchemaGrammarError } from "./errors.js";
export { MAX_SCHEMA_DEPTH } from "./converter.js";

/**
 * `"json"`: any JSON object at the top level, as Ollama's built-in JSON grammar (`root ::= object`).
 * A JSON Schema object: values valid against it. Throws SchemaGrammarError (a 400) for a schema
 * the grammar cannot enforce in full.
 */
export function formatToGbnf(format: "json" | Record<string, unknown>): string {
  if (format === "json") return new SchemaConverter({ type: "object" }).convert();
  if (format === null || typeof format !== "object" || Array.isArray(format)) {
    throw new SchemaGrammarError(`expected "json" or a JSON Schema object`);
  }
  try {
    return new SchemaConverter(format).convert();
  } catch (err) {
    // Deep input that still outruns the explicit limits (JSON.stringify of a huge const, say).
    if (err instanceof RangeError) throw new SchemaGrammarError("schema too deeply nested");
    throw err;
  }
}
