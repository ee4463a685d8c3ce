// Request bodies: JSON decoding with Ollama's errors (ollama-spec §1.0, §18), validated by zod.
// Every JSON route decodes through `parseJsonBody`, so Go's decoder limits (nesting depth, numbers a
// double cannot hold, no byte-order mark) hold for all of them before a handler runs.

import type { Context } from "hono";
import { z } from "zod";
import { BadRequestError, PayloadTooLargeError } from "../util/errors.js";
import { requestBytes } from "./edge.js";
import { depthMessage, scanJsonLimits } from "./json-scan.js";

/** Where an unrepresentable number was, for the caller to word Go's UnmarshalTypeError. */
export class JsonNumberError extends BadRequestError {
  override name = "JsonNumberError";
  constructor(
    readonly literal: string,
    readonly keys: string[],
  ) {
    super(`json: cannot unmarshal number ${literal} into Go value of type float64`);
  }
}

/**
 * Decodes a JSON body from its bytes. Empty → `missing request body`; a leading UTF-8 byte-order mark is
 * refused as Go's decoder refuses it; too deep → Go's `exceeded max depth`; malformed → the parser's words.
 */
export function parseJsonBody(bytes: Uint8Array): unknown {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new BadRequestError("invalid character 'ï' looking for beginning of value");
  }
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") throw new BadRequestError("missing request body");
  const problem = scanJsonLimits(text);
  if (problem?.kind === "depth") throw new BadRequestError(depthMessage(problem.text));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new BadRequestError((e as Error).message);
  }
  if (problem?.kind === "number") throw new JsonNumberError(problem.text, problem.keys);
  return value;
}

/** Reads and parses the JSON body of a request. */
export async function readRequestJson(c: Context): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await requestBytes(c);
  } catch (err) {
    if (err instanceof PayloadTooLargeError) throw err;
    throw new BadRequestError("missing request body");
  }
  return parseJsonBody(bytes);
}

function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v === "object" ? "object" : typeof v;
}

/** Go's type name for a zod expectation. */
function goType(expected: string): string {
  if (expected === "int") return "int";
  if (expected === "number") return "float64";
  if (expected === "boolean") return "bool";
  return expected;
}

/** Formats a zod issue the way Go's encoding/json reports a type mismatch (Ollama's 400 text). */
function describe(issue: z.core.$ZodIssue, raw: unknown, struct: string): string {
  const path = issue.path.filter((p) => typeof p === "string").join(".");
  if (issue.code === "invalid_type" || issue.code === "invalid_union") {
    let value: unknown = raw;
    for (const p of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[p as PropertyKey];
    const expected = issue.code === "invalid_type" ? goType(issue.expected) : "value";
    // Go names the literal only when it is a number its integer field cannot take (0.5, 1e3).
    const kind = expected === "int" && typeof value === "number" ? `number ${JSON.stringify(value)}` : jsonKind(value);
    return `json: cannot unmarshal ${kind} into Go struct field ${struct}.${path} of type ${expected}`;
  }
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Go's type for a number at `keys` in `schema`: an integer field says int; a number inside a map
 * (`options`, `format`) or a float field says float64.
 */
function numberTypeAt(schema: z.ZodType, keys: string[]): string {
  if (keys.length !== 1) return "float64";
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  const field = shape?.[keys[0]];
  if (!field) return "float64";
  return field.safeParse(1.5).success || field.safeParse([1.5]).success ? "float64" : "int";
}

/** Decodes and type-checks a JSON object body; `struct` names the request in messages, as Go does. */
export async function readBody<T extends z.ZodType>(c: Context, schema: T, struct = "Request"): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    raw = await readRequestJson(c);
  } catch (err) {
    if (err instanceof JsonNumberError && err.keys.length > 0) {
      throw new BadRequestError(
        `json: cannot unmarshal number ${err.literal} into Go struct field ${struct}.${err.keys[0]} of type ${numberTypeAt(schema, err.keys)}`,
      );
    }
    throw err;
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new BadRequestError(`json: cannot unmarshal ${jsonKind(raw)} into Go value of type api.${struct}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new BadRequestError(describe(r.error.issues[0], raw, struct));
  return r.data;
}
