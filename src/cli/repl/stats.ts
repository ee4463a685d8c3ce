// `--verbose` timings, byte for byte as Ollama's `Metrics.Summary` prints them to stderr.

import type { Metrics } from "../../api/types.js";
import { goDuration } from "../format.js";

export function formatStats(m: Metrics): string {
  let out = "";
  if (m.total_duration && m.total_duration > 0) out += `total duration:       ${goDuration(m.total_duration)}\n`;
  if (m.load_duration && m.load_duration > 0) out += `load duration:        ${goDuration(m.load_duration)}\n`;
  const pc = m.prompt_eval_count ?? 0;
  if (pc > 0) out += `prompt eval count:    ${pc} token(s)\n`;
  if (m.prompt_eval_duration && m.prompt_eval_duration > 0) {
    out += `prompt eval duration: ${goDuration(m.prompt_eval_duration)}\n`;
    out += `prompt eval rate:     ${(pc / (m.prompt_eval_duration / 1e9)).toFixed(2)} tokens/s\n`;
  }
  const ec = m.eval_count ?? 0;
  if (ec > 0) out += `eval count:           ${ec} token(s)\n`;
  if (m.eval_duration && m.eval_duration > 0) {
    out += `eval duration:        ${goDuration(m.eval_duration)}\n`;
    out += `eval rate:            ${(ec / (m.eval_duration / 1e9)).toFixed(2)} tokens/s\n`;
  }
  return out;
}
