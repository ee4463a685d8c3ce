// Building emitted tool calls: ids, per-response indices, and the argument shapes models produce.

import { randomBytes } from "node:crypto";
import type { Tool, ToolCall } from "../../api/types.js";
import { isPlainObject, tryParseJson } from "./text-scan.js";

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `call_` + 8 chars of [a-z0-9], the id Ollama gives calls on the rendered path (§1.3). */
export function newToolCallId(): string {
  const bytes = randomBytes(8);
  let s = "call_";
  // 252 = 7 * 36: rejecting bytes above it keeps the alphabet uniformly likely.
  for (let i = 0; i < 8; i++) {
    let b = bytes[i];
    while (b >= 252) b = randomBytes(1)[0];
    s += ID_ALPHABET[b % 36];
  }
  return s;
}

/** Numbers calls of one response from 0 and gives each an id. */
export class ToolCallFactory {
  private next = 0;
  constructor(private readonly newId: () => string = newToolCallId) {}

  get count(): number {
    return this.next;
  }

  make(name: string, args: Record<string, unknown>): ToolCall {
    return { id: this.newId(), function: { index: this.next++, name, arguments: args } };
  }
}

/** An arguments value that may arrive as an object or as a JSON string holding one. */
export function asArguments(v: unknown): Record<string, unknown> | undefined {
  if (isPlainObject(v)) return v;
  if (typeof v === "string") {
    const parsed = tryParseJson(v);
    if (isPlainObject(parsed)) return parsed;
  }
  return undefined;
}

/**
 * `{"name": f, "arguments"|"parameters": {...}}` → {name, args}; a missing arguments field means
 * no arguments. Returns undefined when `v` is not such an object.
 */
export function namedCall(v: unknown): { name: string; args: Record<string, unknown> } | undefined {
  if (!isPlainObject(v) || typeof v.name !== "string") return undefined;
  if ("arguments" in v || "parameters" in v) {
    const args = asArguments(v.arguments) ?? asArguments(v.parameters);
    if (!args) return undefined;
    return { name: v.name, args };
  }
  return { name: v.name, args: {} };
}

/** The JSON-schema types a tool declares for one parameter ([] when unknown). */
export function parameterTypes(tools: readonly Tool[], fn: string, param: string): string[] {
  const tool = tools.find((t) => t.function.name === fn);
  const type = tool?.function.parameters?.properties?.[param]?.type;
  return type === undefined ? [] : Array.isArray(type) ? type : [type];
}

/** Converts a textual parameter value to the type the tool's schema declares. */
export function coerceParameter(tools: readonly Tool[], fn: string, param: string, raw: string): unknown {
  const types = parameterTypes(tools, fn, param);
  if (types.length === 0 || types.includes("string")) return raw;
  const trimmed = raw.trim();
  for (const t of types) {
    if (t === "integer" || t === "number") {
      const n = Number(trimmed);
      if (trimmed !== "" && Number.isFinite(n) && (t === "number" || Number.isInteger(n))) return n;
    } else if (t === "boolean") {
      if (trimmed.toLowerCase() === "true") return true;
      if (trimmed.toLowerCase() === "false") return false;
    } else if (t === "null") {
      if (trimmed === "null") return null;
    } else {
      const parsed = tryParseJson(trimmed);
      if (parsed !== undefined) return parsed;
    }
  }
  return raw;
}
