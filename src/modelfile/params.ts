// Model options (ollama-spec §1.4): which names exist, their types, and the two ways values
// arrive — Modelfile PARAMETER strings (Ollama's api.FormatParams) and JSON request
// `options` (api.Options.FromMap) — each with Ollama's error wording.

import { shortestFloat32 } from "../gguf/numbers.js";
import { InvalidOptionError, ModelfileError } from "../util/errors.js";

export type OptionType = "int" | "float" | "bool" | "string[]";

/** Every option Ollama accepts, by its JSON name. */
export const OPTION_TYPES: Readonly<Record<string, OptionType>> = Object.freeze({
  // load-time (api.Runner)
  num_ctx: "int",
  num_batch: "int",
  num_gpu: "int",
  main_gpu: "int",
  use_mmap: "bool",
  num_thread: "int",
  draft_num_predict: "int",
  // per request (api.Options)
  num_keep: "int",
  seed: "int",
  num_predict: "int",
  top_k: "int",
  top_p: "float",
  min_p: "float",
  typical_p: "float",
  repeat_last_n: "int",
  temperature: "float",
  repeat_penalty: "float",
  presence_penalty: "float",
  frequency_penalty: "float",
  stop: "string[]",
});

/** PARAMETER names that only warn (`warning: parameter X is deprecated`) and are dropped. */
export const DEPRECATED_PARAMETERS: readonly string[] = [
  "penalize_newline",
  "low_vram",
  "f16_kv",
  "logits_all",
  "vocab_only",
  "use_mlock",
  "mirostat",
  "mirostat_tau",
  "mirostat_eta",
];

export type OptionValue = number | boolean | string[];

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL_FLOAT: Record<string, number> = { inf: Infinity, "+inf": Infinity, "-inf": -Infinity, infinity: Infinity, "+infinity": Infinity, "-infinity": -Infinity, nan: NaN };
const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** A float as Go's float32 stores it, printed as Go prints it (0.9 stays 0.9). */
export function toFloat32(x: number): number {
  return shortestFloat32(Math.fround(x));
}

/**
 * Type one parameter's values like api.FormatParams (Modelfile PARAMETER lines and the REPL's
 * `/set parameter NAME VALUE…`): `stop` keeps every value, other options read the first. Throws
 * ModelfileError with Ollama's messages, which print all the values: `unknown parameter 'x'`,
 * `invalid float value [x]`, `invalid int value [x]`, `invalid bool value [x]`.
 */
export function typeParameter(name: string, values: readonly string[]): OptionValue {
  const type = Object.hasOwn(OPTION_TYPES, name) ? OPTION_TYPES[name] : undefined;
  if (type === undefined) throw new ModelfileError(`unknown parameter '${name}'`);
  if (!values.length) throw new ModelfileError(`missing value for parameter '${name}'`);
  const raw = values[0];
  const shown = `[${values.join(" ")}]`;
  switch (type) {
    case "float": {
      const special = SPECIAL_FLOAT[raw.toLowerCase()];
      if (special !== undefined) return special;
      if (!FLOAT.test(raw)) throw new ModelfileError(`invalid float value ${shown}`);
      return toFloat32(Number(raw));
    }
    case "int": {
      if (!INT.test(raw)) throw new ModelfileError(`invalid int value ${shown}`);
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) throw new ModelfileError(`invalid int value ${shown}`);
      return n;
    }
    case "bool":
      if (TRUE.has(raw)) return true;
      if (FALSE.has(raw)) return false;
      throw new ModelfileError(`invalid bool value ${shown}`);
    case "string[]":
      return [...values];
  }
}

/** One PARAMETER line's value. Deprecated names are the caller's concern (see formatParams). */
export function parseParameterValue(name: string, raw: string): OptionValue {
  return typeParameter(name, [raw]);
}

/**
 * Turn PARAMETER (name, value) pairs into typed parameters: later values win, `stop`
 * accumulates into one list, deprecated names are dropped and their
 * `warning: parameter X is deprecated` lines pushed onto `warnings` when given.
 */
export function formatParams(pairs: Iterable<readonly [string, string]>, warnings?: string[]): Record<string, OptionValue> {
  const parameters: Record<string, OptionValue> = {};
  for (const [name, raw] of pairs) {
    if (DEPRECATED_PARAMETERS.includes(name)) {
      warnings?.push(`warning: parameter ${name} is deprecated`);
      continue;
    }
    const value = parseParameterValue(name, raw);
    const prev = parameters[name];
    parameters[name] = Array.isArray(value) && Array.isArray(prev) ? [...prev, ...value] : value;
  }
  return parameters;
}

export interface CoercedOptions {
  options: Record<string, OptionValue>;
  /** Keys that are not options; Ollama logs `invalid option provided` and ignores them. */
  unknown: string[];
}

/**
 * Request `options` → typed options, as api.Options.FromMap: JSON numbers truncate to int
 * for int options, null values are skipped, wrong types throw InvalidOptionError
 * (`option "top_k" must be of type integer`).
 */
export function coerceOptions(map: Record<string, unknown> | null | undefined): CoercedOptions {
  const options: Record<string, OptionValue> = {};
  const unknown: string[] = [];
  for (const [key, val] of Object.entries(map ?? {})) {
    const type = Object.hasOwn(OPTION_TYPES, key) ? OPTION_TYPES[key] : undefined;
    if (type === undefined) {
      unknown.push(key);
      continue;
    }
    if (val === null || val === undefined) continue;
    const q = JSON.stringify(key);
    switch (type) {
      case "int":
        if (typeof val !== "number" || !Number.isFinite(val)) throw new InvalidOptionError(`option ${q} must be of type integer`);
        options[key] = Math.trunc(val);
        break;
      case "float":
        if (typeof val !== "number") throw new InvalidOptionError(`option ${q} must be of type float32`);
        options[key] = toFloat32(val);
        break;
      case "bool":
        if (typeof val !== "boolean") throw new InvalidOptionError(`option ${q} must be of type boolean`);
        options[key] = val;
        break;
      case "string[]":
        if (!Array.isArray(val)) throw new InvalidOptionError(`option ${q} must be of type array`);
        if (!val.every((s) => typeof s === "string")) throw new InvalidOptionError(`option ${q} must be of an array of strings`);
        options[key] = [...(val as string[])];
        break;
    }
  }
  return { options, unknown };
}
