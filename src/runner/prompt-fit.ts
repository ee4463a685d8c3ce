// Fitting a prompt into the context window the way Ollama's runner does (ollama-spec §11.4).

import { BadRequestError } from "../util/errors.js";

export const PROMPT_TOO_LONG =
  "the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length";

export interface FitOptions {
  numCtx: number;
  /** Tokens kept at the start (Ollama's num_keep, default 4). */
  numKeep: number;
  /** The prompt starts with a BOS token, which is kept on top of `numKeep`. */
  hasBos: boolean;
  /** false: refuse instead of truncating. */
  truncate: boolean;
  /** Context shift enabled; without it a long prompt is refused, as llama-server does. */
  shift: boolean;
}

/** Tokens kept at the start of the context when truncating or shifting. */
export function keptPrefix(numCtx: number, numKeep: number, hasBos: boolean): number {
  return Math.max(0, Math.min(numKeep + (hasBos ? 1 : 0), numCtx - 2));
}

/**
 * Returns the prompt unchanged when it fits in `numCtx − 1` tokens; otherwise keeps the first
 * num_keep (+BOS) tokens and drops from the middle down to `num_ctx − max((num_ctx − num_keep)/2, 1)`.
 */
export function fitPrompt(tokens: readonly number[], opts: FitOptions): number[] {
  if (tokens.length <= opts.numCtx - 1) return tokens.slice();
  if (!opts.truncate || !opts.shift) throw new BadRequestError(PROMPT_TOO_LONG);
  const keep = keptPrefix(opts.numCtx, opts.numKeep, opts.hasBos);
  const target = opts.numCtx - Math.max(Math.floor((opts.numCtx - opts.numKeep) / 2), 1);
  const tail = Math.max(1, target - keep);
  return [...tokens.slice(0, keep), ...tokens.slice(tokens.length - tail)];
}
