// Vector post-processing for /api/embed (ollama-spec §12): L2 normalization, `dimensions`, NaN/Inf check.

import { BadRequestError } from "../util/errors.js";

export function l2Normalize(v: readonly number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  // A zero vector stays zero rather than becoming NaN.
  return norm === 0 ? v.slice() : v.map((x) => x / norm);
}

export function checkFinite(v: readonly number[]): void {
  if (v.some((x) => !Number.isFinite(x))) throw new BadRequestError("embedding contains NaN or Inf values");
}

/** Normalizes, then (when `dimensions` is below the length) truncates and normalizes again. */
export function finishEmbedding(raw: readonly number[], dimensions?: number): number[] {
  checkFinite(raw);
  let v = l2Normalize(raw);
  if (dimensions !== undefined && dimensions > 0 && dimensions < v.length) v = l2Normalize(v.slice(0, dimensions));
  return v;
}
