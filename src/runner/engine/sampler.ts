// A request's llama.cpp sampler chain, in the order Ollama's runner applies them: grammar, penalties over
// the last `repeat_last_n` tokens, top-k, typical-p, top-p, min-p, temperature, then a seeded draw (greedy
// at temperature 0). The runner owns no defaults: an option left out leaves its sampler out (inference fills
// Ollama's defaults before a request gets here).

import { InvalidOptionError } from "../../util/errors.js";
import type { LlamaApi, Ptr } from "../native/index.js";
import type { SamplingOptions, TokenLogprob } from "../types.js";
import { LoadedModel } from "./model.js";

export class Sampler {
  readonly chain: Ptr;
  private readonly penalties: Ptr | undefined;

  constructor(
    private readonly api: LlamaApi,
    nVocab: number,
    s: SamplingOptions,
    opts: { grammar?: Ptr; contextSize: number; history: readonly number[] },
  ) {
    this.chain = api.llama_sampler_chain_init(api.llama_sampler_chain_default_params());
    const add = (smpl: Ptr) => api.llama_sampler_chain_add(this.chain, smpl);
    if (opts.grammar) add(opts.grammar);
    const lastN = s.repeatLastN === -1 ? opts.contextSize : (s.repeatLastN ?? 0);
    const repeat = s.repeatPenalty ?? 1;
    const presence = s.presencePenalty ?? 0;
    const frequency = s.frequencyPenalty ?? 0;
    if (lastN > 0 && (repeat !== 1 || presence !== 0 || frequency !== 0)) {
      this.penalties = api.llama_sampler_init_penalties(nVocab, lastN, repeat, frequency, presence);
      add(this.penalties);
      // The prompt's tail counts as history, as in Ollama (the penalty window spans prompt and output).
      for (const t of opts.history.slice(-lastN)) api.llama_sampler_accept(this.penalties, t);
    }
    const temperature = s.temperature ?? 1;
    if (temperature <= 0) {
      add(api.llama_sampler_init_greedy());
      return;
    }
    if (s.topK !== undefined && s.topK > 0) add(api.llama_sampler_init_top_k(s.topK));
    if (s.typicalP !== undefined && s.typicalP > 0 && s.typicalP < 1) add(api.llama_sampler_init_typical(s.typicalP, 1));
    if (s.topP !== undefined && s.topP > 0 && s.topP < 1) add(api.llama_sampler_init_top_p(s.topP, 1));
    if (s.minP !== undefined && s.minP > 0) add(api.llama_sampler_init_min_p(s.minP, 1));
    add(api.llama_sampler_init_temp(temperature));
    const seed = s.seed === undefined || s.seed < 0 ? Math.floor(Math.random() * 0xffffffff) : s.seed >>> 0;
    add(api.llama_sampler_init_dist(seed));
  }

  /** Samples from the logits of batch output `idx` and records the token (penalties, grammar). */
  sample(ctx: Ptr, idx: number): number {
    return this.api.llama_sampler_sample(this.chain, ctx, idx);
  }

  free(): void {
    this.api.llama_sampler_free(this.chain);
  }
}

/** Ollama's validation of sampling values (errors it returns as 400). */
export function checkSampling(s: SamplingOptions): void {
  const bad = (what: string) => {
    throw new InvalidOptionError(what);
  };
  if (s.temperature !== undefined && (!Number.isFinite(s.temperature) || s.temperature < 0)) bad(`invalid temperature ${s.temperature}: must be >= 0`);
  if (s.topP !== undefined && (!Number.isFinite(s.topP) || s.topP < 0 || s.topP > 1)) bad(`invalid top_p ${s.topP}: must be between 0 and 1`);
  if (s.minP !== undefined && (!Number.isFinite(s.minP) || s.minP < 0 || s.minP > 1)) bad(`invalid min_p ${s.minP}: must be between 0 and 1`);
  if (s.typicalP !== undefined && (!Number.isFinite(s.typicalP) || s.typicalP < 0 || s.typicalP > 1)) bad(`invalid typical_p ${s.typicalP}: must be between 0 and 1`);
  if (s.repeatPenalty !== undefined && (!Number.isFinite(s.repeatPenalty) || s.repeatPenalty < 0)) bad(`invalid repeat_penalty ${s.repeatPenalty}: must be >= 0`);
  if (s.repeatLastN !== undefined && (!Number.isInteger(s.repeatLastN) || s.repeatLastN < -1)) bad(`invalid repeat_last_n ${s.repeatLastN}: must be >= -1`);
  if (s.topK !== undefined && !Number.isInteger(s.topK)) bad(`invalid top_k ${s.topK}`);
}

/**
 * Exact log-probabilities from the raw logits (log-softmax, independent of temperature and truncation), with
 * the `top` most likely alternatives.
 */
export function logprobsOf(model: LoadedModel, logits: Float32Array, token: number, text: string, top: number): TokenLogprob {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const lse = max + Math.log(sum);
  const entry = (t: number, s: string) => ({ token: s, logprob: logits[t] - lse, bytes: [...Buffer.from(s, "utf8")] });
  const result: TokenLogprob = entry(token, text);
  if (top > 0) {
    // Partial selection: keep the `top` best ids in a small sorted array.
    const best: number[] = [];
    for (let i = 0; i < logits.length; i++) {
      if (best.length === top && logits[i] <= logits[best[best.length - 1]]) continue;
      let at = best.length;
      while (at > 0 && logits[best[at - 1]] < logits[i]) at--;
      best.splice(at, 0, i);
      if (best.length > top) best.pop();
    }
    result.top_logprobs = best.map((t) => entry(t, model.pieceText(t)));
  }
  return result;
}
