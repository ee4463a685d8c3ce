// Request-body parsing shared by both dialects: failures are BadRequestErrors so each dialect's error
// writer can give them its own shape.

import type { Context } from "hono";
import { BadRequestError } from "../../util/errors.js";
import { readRequestJson } from "../body.js";

export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const value = await readRequestJson(c);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new BadRequestError("request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A finite number or undefined; anything else is a 400 naming the field. */
export function optNumber(body: Record<string, unknown>, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new BadRequestError(`'${field}' must be a number`);
  return v;
}

export function optString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new BadRequestError(`'${field}' must be a string`);
  return v;
}

/** `stop`: a string or an array of strings (a non-string element is a 400, as in Ollama). */
export function stopList(value: unknown, field = "stop"): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) {
    for (const s of value) {
      if (typeof s !== "string") throw new BadRequestError(`invalid type for '${field}' field: ${typeof s}`);
    }
    return value as string[];
  }
  throw new BadRequestError(`invalid type for '${field}' field`);
}
