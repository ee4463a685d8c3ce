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

/** Formats a zod issue the way Go's encoding/json reports a type mismatch. */
function describe(issue: z.core.$ZodIssue): string {
  const field = issue.path.join(".");
  if (issue.code === "invalid_type") {
    return `json: cannot unmarshal ${issue.message.includes("received") ? issue.message.replace(/^.*received /, "") : "value"} into Go struct field .${field} of type ${issue.expected}`;
  }
  return field ? `${field}: ${issue.message}` : issue.message;
}

export async function readBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const raw = await readJson(c);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new BadRequestError("json: cannot unmarshal " + (Array.isArray(raw) ? "array" : typeof raw) + " into Go value of type object");
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new BadRequestError(describe(r.error.issues[0]));
  return r.data;
}
