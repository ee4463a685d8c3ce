// Pieces several OpenAI endpoints share: image data URIs, reasoning effort → think, sampling defaults.

import type { Options, Think } from "../../../api/types.js";
import { BadRequestError } from "../../../util/errors.js";
import { optNumber, stopList } from "../body.js";

const IMAGE_PREFIXES = [
  "data:image/jpeg;base64,",
  "data:image/jpg;base64,",
  "data:image/png;base64,",
  "data:image/webp;base64,",
  "data:;base64,",
];

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A data URI → the base64 payload native `images` carry. Remote URLs are refused, as Ollama does. */
export function decodeImageUrl(url: string): string {
  if (/^https?:\/\//i.test(url)) {
    throw new BadRequestError("image URLs are not currently supported, please use base64 encoded data instead");
  }
  const prefix = IMAGE_PREFIXES.find((p) => url.toLowerCase().startsWith(p));
  if (!prefix) throw new BadRequestError("invalid image input");
  const data = url.slice(prefix.length).replace(/\s+/g, "");
  if (data.length % 4 === 1 || !BASE64.test(data)) throw new BadRequestError("invalid message format");
  return data;
}

/** `reasoning_effort` / `reasoning.effort` → native `think` (ollama-spec §2.1). */
export function thinkFromEffort(effort: unknown): Think | undefined {
  if (effort === undefined || effort === null) return undefined;
  switch (effort) {
    case "none":
      return false;
    case "minimal":
      return "low";
    case "low":
    case "medium":
    case "high":
    case "max":
      return effort as Think;
    case "xhigh":
    case "ultra":
      return "max";
    default:
      throw new BadRequestError(
        `invalid reasoning value: '${String(effort)}' (must be "none", "minimal", "low", "medium", "high", "xhigh" or "max")`,
      );
  }
}

/**
 * Sampling fields common to chat and completions. OpenAI's defaults differ from Ollama's: temperature
 * and top_p default to 1.0 here (overriding the model's own), as Ollama does.
 */
export function samplingOptions(body: Record<string, unknown>): Options {
  const options: Options = {};
  const stop = stopList(body.stop);
  if (stop) options.stop = stop;
  // `max_completion_tokens` (OpenAI's newer name) wins; Ollama ignores it, herd honors it.
  const maxTokens = optNumber(body, "max_completion_tokens") ?? optNumber(body, "max_tokens");
  if (maxTokens !== undefined) options.num_predict = Math.trunc(maxTokens);
  options.temperature = optNumber(body, "temperature") ?? 1.0;
  const seed = optNumber(body, "seed");
  if (seed !== undefined) options.seed = Math.trunc(seed);
  const frequency = optNumber(body, "frequency_penalty");
  if (frequency !== undefined) options.frequency_penalty = frequency;
  const presence = optNumber(body, "presence_penalty");
  if (presence !== undefined) options.presence_penalty = presence;
  const topP = optNumber(body, "top_p");
  options.top_p = topP === undefined || topP === 0 ? 1.0 : topP;
  return options;
}

export function checkTopLogprobs(n: number | undefined): void {
  if (n !== undefined && (n < 0 || n > 20 || !Number.isInteger(n))) {
    throw new BadRequestError("top_logprobs must be between 0 and 20");
  }
}

/** The model field every endpoint requires. */
export function requireModel(body: Record<string, unknown>): string {
  const model = body.model;
  if (typeof model !== "string" || model === "") throw new BadRequestError("model is required");
  return model;
}
