// Request bodies: JSON decoding with Ollama's errors (ollama-spec §1.0, §18), validated by zod.

import type { Context } from "hono";
import { z } from "zod";
import { BadRequestError } from "../util/errors.js";

/** Reads and parses the JSON body; empty → `missing request body`, malformed → 400 with the parser's words. */
export async function readJson(c: Context): Promise<unknown> {
  let text: string;
  try {
    text = await c.req.text();
  } catch {
    throw new BadRequestError("missing request body");
  }
  if (text.trim() === "") throw new BadRequestError("missing request body");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BadRequestError((e as Error).message);
  }
}

function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v === "object" ? "object" : typeof v;
}

/** Formats a zod issue the way Go's encoding/json reports a type mismatch (Ollama's 400 text). */
function describe(issue: z.core.$ZodIssue, raw: unknown, struct: string): string {
  const path = issue.path.filter((p) => typeof p === "string").join(".");
  if (issue.code === "invalid_type" || issue.code === "invalid_union") {
    let value: unknown = raw;
    for (const p of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[p as PropertyKey];
    const expected = issue.code === "invalid_type" ? issue.expected : "value";
    return `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${struct}.${path} of type ${expected}`;
  }
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Decodes and type-checks a JSON object body; `struct` names the request in messages, as Go does. */
export async function readBody<T extends z.ZodType>(c: Context, schema: T, struct = "Request"): Promise<z.infer<T>> {
  const raw = await readJson(c);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new BadRequestError(`json: cannot unmarshal ${jsonKind(raw)} into Go value of type api.${struct}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new BadRequestError(describe(r.error.issues[0], raw, struct));
  return r.data;
}
