// Request checks shared by generate and chat, with Ollama's messages and statuses (ollama-spec §1.2, §18).

import type { Format, Think } from "../api/types.js";
import { formatToGbnf } from "../runner/index.js";
import { BadRequestError, InvalidOptionError } from "../util/errors.js";

export const RAW_MODE_ERROR = "raw mode does not support template, system, or context";

export function checkTopLogprobs(n: number | undefined): void {
  if (n !== undefined && (n < 0 || n > 20)) throw new BadRequestError("top_logprobs must be between 0 and 20");
}

/**
 * `format` → what the runner takes: "json", a schema object, or nothing for `""`/null.
 * Anything else is Ollama's 500 `invalid format`. A schema is converted here once, so one the
 * grammar cannot enforce is a 400 before any model loads.
 */
export function parseFormat(format: Format | undefined | unknown): "json" | Record<string, unknown> | undefined {
  if (format === undefined || format === null || format === "") return undefined;
  if (format === "json") return "json";
  if (typeof format === "object" && !Array.isArray(format)) {
    formatToGbnf(format as Record<string, unknown>);
    return format as Record<string, unknown>;
  }
  throw new InvalidOptionError(`invalid format: ${JSON.stringify(format)}; expected "json" or a valid JSON Schema object`);
}

export interface ThinkSetting {
  /** Thinking on (true, or a level). */
  enabled: boolean;
  /** `"low" | "medium" | "high" | "max"`; `true` reads as `"medium"` (Ollama's ThinkValue.String). */
  level: string;
  /** The request said something about think. */
  isSet: boolean;
}

const LEVELS = new Set(["low", "medium", "high", "max"]);

/** Resolves `think`, defaulting to on for thinking-capable models; refuses it on the others. */
export function resolveThink(think: Think | undefined | null, canThink: boolean, modelName: string): ThinkSetting {
  if (think === undefined || think === null) {
    return { enabled: canThink, level: canThink ? "medium" : "", isSet: false };
  }
  if (typeof think === "string" && !LEVELS.has(think)) {
    throw new BadRequestError(`invalid think value: "${think}" (must be "high", "medium", "low", "max", true, or false)`);
  }
  const enabled = think !== false;
  if (enabled && !canThink) throw new BadRequestError(`"${modelName}" does not support thinking`);
  const level = typeof think === "string" ? think : enabled ? "medium" : "";
  return { enabled, level, isSet: true };
}
