// `/set parameter NAME VALUE…` typing, as Ollama's api.FormatParams does it: each option has a Go type,
// values are parsed with Go's strconv rules, `stop` keeps every value.

const INT = new Set(["num_ctx", "num_batch", "num_gpu", "main_gpu", "num_thread", "num_keep", "seed", "num_predict", "top_k", "repeat_last_n", "draft_num_predict"]);
const FLOAT = new Set(["top_p", "min_p", "typical_p", "temperature", "repeat_penalty", "presence_penalty", "frequency_penalty"]);
const BOOL = new Set(["use_mmap"]);
const LIST = new Set(["stop"]);

export const PARAMETER_NAMES = [...INT, ...FLOAT, ...BOOL, ...LIST].sort();

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Returns the typed value, or throws with Ollama's message. */
export function typeParameter(name: string, values: string[]): number | boolean | string[] {
  if (!values.length) throw new Error(`missing value for parameter '${name}'`);
  const shown = `[${values.join(" ")}]`;
  const v = values[0];
  if (INT.has(name)) {
    if (!/^[+-]?\d+$/.test(v)) throw new Error(`invalid int value ${shown}`);
    return parseInt(v, 10);
  }
  if (FLOAT.has(name)) {
    const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) ? Number(v) : NaN;
    if (Number.isNaN(n)) throw new Error(`invalid float value ${shown}`);
    return n;
  }
  if (BOOL.has(name)) {
    if (GO_TRUE.has(v)) return true;
    if (GO_FALSE.has(v)) return false;
    throw new Error(`invalid bool value ${shown}`);
  }
  if (LIST.has(name)) return [...values];
  throw new Error(`unknown parameter '${name}'`);
}
