// Response metrics in nanoseconds (ollama-spec §1.2 table): load = handler start → runner leased.

import type { Metrics } from "../api/types.js";
import type { Timings } from "../runner/types.js";

export function nowNs(): bigint {
  return process.hrtime.bigint();
}

/** Metrics for the final chunk; Go omits zero values (`omitempty`), so they are left out. */
export function buildMetrics(startNs: bigint, loadDurationNs: number, timings?: Timings): Metrics {
  const m: Metrics = {};
  const put = (k: keyof Metrics, v: number) => {
    if (v > 0) m[k] = Math.round(v);
  };
  put("total_duration", Number(nowNs() - startNs));
  put("load_duration", loadDurationNs);
  if (timings) {
    put("prompt_eval_count", timings.promptTokens);
    put("prompt_eval_duration", timings.promptNs);
    put("eval_count", timings.evalTokens);
    put("eval_duration", timings.evalNs);
  }
  return m;
}

/** RFC3339Nano-like UTC timestamp (JS has millisecond precision). */
export function createdAt(): string {
  return new Date().toISOString();
}
