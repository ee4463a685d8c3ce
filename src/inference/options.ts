// Options merge (ollama-spec §1.4): Ollama's DefaultOptions ← Modelfile PARAMETERs ← request `options`.
// Values are coerced as Go's `Options.FromMap` does; unknown keys are reported, not fatal.

import type { LoadOptions, SamplingOptions } from "../runner/types.js";
import { coerceOptions, type OptionValue } from "../modelfile/index.js";

/**
 * The params layer as stored: Ollama writes `stop` as a list, but a hand-made or older layer may hold a
 * single string; accept that rather than refuse to run the model.
 */
function paramsLayer(map: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (map && typeof map.stop === "string") return { ...map, stop: [map.stop] };
  return map;
}

type OptionValues = Record<string, OptionValue>;

export interface MergeInput {
  /** `OLLAMA_CONTEXT_LENGTH`; 0 = automatic (4096 on these machines). */
  contextLength: number;
  /** The model's trained context (`<arch>.context_length`); 0 when unknown. */
  trainedContext: number;
  modelParams?: Record<string, unknown>;
  requestOptions?: Record<string, unknown> | null;
  /** Embedding models batch up to 2048 (capped to num_ctx), as Ollama's embed path. */
  embedding?: boolean;
  /** Vision models get at least VISION_MIN_NUM_CTX (Ollama's scheduler, §10): an image alone takes hundreds of tokens. */
  vision?: boolean;
}

export interface MergedOptions {
  numCtx: number;
  /** Load-time part, without the model path. */
  load: Omit<LoadOptions, "modelPath">;
  sampling: SamplingOptions;
  /** Unknown keys from the request (warned by the caller). */
  unknown: string[];
}

export const DEFAULT_NUM_CTX = 4096;
export const VISION_MIN_NUM_CTX = 2048;

/**
 * Ollama's DefaultOptions for sampling (api/types.go). The one copy: every request reaches the runner
 * with each field set, and the runner applies what it is given (an absent field turns its sampler off).
 */
export const DEFAULT_SAMPLING = Object.freeze({
  temperature: 0.8,
  topK: 40,
  topP: 0.9,
  minP: 0,
  typicalP: 1,
  repeatLastN: 64,
  repeatPenalty: 1,
  presencePenalty: 0,
  frequencyPenalty: 0,
  seed: -1,
  numKeep: 4,
});

/** Merges and defaults options; throws InvalidOptionError for values of the wrong type. */
export function mergeOptions(input: MergeInput): MergedOptions {
  const params = coerceOptions(paramsLayer(input.modelParams));
  const request = coerceOptions(input.requestOptions);
  const v: OptionValues = { ...params.options, ...request.options };
  const num = (k: string) => (typeof v[k] === "number" ? (v[k] as number) : undefined);

  let numCtx = num("num_ctx") ?? (input.contextLength > 0 ? input.contextLength : DEFAULT_NUM_CTX);
  if (input.trainedContext > 0) numCtx = Math.min(numCtx, input.trainedContext);
  numCtx = Math.max(numCtx, 4);
  if (input.vision) numCtx = Math.max(numCtx, VISION_MIN_NUM_CTX);

  const d = DEFAULT_SAMPLING;
  let numPredict = num("num_predict") ?? -1;
  if (numPredict < 0 || numPredict > 10 * numCtx) numPredict = 10 * numCtx;

  // num_keep travels with each request (sampling), so changing it never reloads the model.
  const load: Omit<LoadOptions, "modelPath"> = { numCtx };
  // A batch below one token means the default (llama.cpp refuses a context whose batch is zero).
  const numBatch = num("num_batch");
  if (numBatch !== undefined && numBatch >= 1) load.numBatch = Math.floor(numBatch);
  else if (input.embedding) load.numBatch = Math.min(2048, numCtx);
  if (num("num_gpu") !== undefined) load.numGpu = num("num_gpu");
  if (num("main_gpu") !== undefined) load.mainGpu = num("main_gpu");
  if (typeof v.use_mmap === "boolean") load.useMmap = v.use_mmap;
  if (num("num_thread") !== undefined) load.numThread = num("num_thread");
  if (input.embedding) load.embedding = true;

  const sampling: Required<Omit<SamplingOptions, "stop">> & SamplingOptions = {
    temperature: num("temperature") ?? d.temperature,
    topK: num("top_k") ?? d.topK,
    topP: num("top_p") ?? d.topP,
    minP: num("min_p") ?? d.minP,
    typicalP: num("typical_p") ?? d.typicalP,
    repeatLastN: num("repeat_last_n") ?? d.repeatLastN,
    repeatPenalty: num("repeat_penalty") ?? d.repeatPenalty,
    presencePenalty: num("presence_penalty") ?? d.presencePenalty,
    frequencyPenalty: num("frequency_penalty") ?? d.frequencyPenalty,
    seed: num("seed") ?? d.seed,
    numPredict,
    numKeep: num("num_keep") ?? d.numKeep,
  };
  const stop = v.stop as string[] | undefined;
  if (stop && stop.length > 0) sampling.stop = stop;
  return { numCtx, load, sampling, unknown: request.unknown };
}
