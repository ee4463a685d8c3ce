// What one architecture's translation declares: how to recognise a published blob, and how to turn it
// into a text model and/or a projector llama.cpp loads.

import type { Plan } from "../plan.js";

export interface Handler {
  /** Names the handler in logs, docs and the cache (e.g. `gemma3`). */
  name: string;
  /** True for a published file this handler translates (Ollama's detect_ollama_<arch>). */
  detect(p: Plan): boolean;
  /** Edits the text model's plan (absent: the text model needs no change). */
  text?(p: Plan): void;
  /** Edits the projector plan (built from the file's vision tensors only); absent: no embedded projector. */
  projector?(p: Plan): void;
}

export const F32_ARRAY = "array<float32>" as const;
export const HALF3 = [0.5, 0.5, 0.5];
/** CLIP's image statistics (OpenAI CLIP preprocessing). */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

/** The keys every projector plan gets (Ollama's inject_bool_if_missing + set of the projector type). */
export function markProjector(p: Plan, projectorType: string, activation: "gelu" | "silu"): void {
  p.inject("clip.has_vision_encoder", "bool", true);
  p.inject(activation === "gelu" ? "clip.use_gelu" : "clip.use_silu", "bool", true);
  p.set("clip.projector_type", "string", projectorType);
  p.set("general.architecture", "string", "clip");
}

/** Copies `<prefix>.<suffix>` keys to `clip.vision.<suffix>`-style destinations. */
export function copyKeys(p: Plan, pairs: [string, string][]): void {
  for (const [from, to] of pairs) p.copy(from, to);
}

export function archIs(p: Plan, ...names: string[]): boolean {
  return names.includes(p.arch);
}

/** A tokenizer string that is absent, empty or "default" (Ollama's string_kv_missing_or_default). */
export function missingOrDefault(p: Plan, key: string): boolean {
  if (!p.has(key)) return true;
  const v = p.str(key);
  return v === "" || v === "default";
}
