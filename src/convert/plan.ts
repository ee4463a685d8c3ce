// What a converter produces before any byte moves: GGUF metadata and, per output tensor, where its
// elements come from and which transform they pass through. The writer streams the plan (stream.ts).

import type { GgufTypedValue } from "../gguf/index.js";
import type { OutType } from "./floats.js";
import type { SafeTensor } from "./safetensors.js";
import type { Tokenizer } from "./tokenizer.js";

export type Transform =
  /** Llama's rotary layout: rows regrouped per head from (2, half) to (half, 2) (HF → GGUF). */
  | { kind: "permute"; heads: number }
  /** Gemma stores norm weights as w-1. */
  | { kind: "addOne" }
  /** Swap a 2-D tensor's axes (LoRA A/B stored the other way round). */
  | { kind: "transpose" };

export interface PlannedTensor {
  name: string;
  /** Output shape, outermost first (reversed into ggml order when written). */
  shape: number[];
  type: OutType;
  /** Elements from a checkpoint tensor … */
  src?: SafeTensor;
  transforms?: Transform[];
  /** … or computed values (rope factors). */
  values?: Float32Array;
}

export interface ConversionPlan {
  metadata: Record<string, GgufTypedValue>;
  tensors: PlannedTensor[];
}

export type HfConfig = Record<string, unknown>;

/** One architecture: how its names, hyper-parameters and tensors map to llama.cpp's. */
export interface Architecture {
  /** GGUF `general.architecture`. */
  arch: string;
  /** Ordered (from, to) pairs applied like Go's strings.Replacer: leftmost match, first pair wins. */
  replacements: [string, string][];
  /** `<arch>.*` and any general/tokenizer keys it overrides. */
  kv(cfg: HfConfig, tok: Tokenizer): Record<string, GgufTypedValue>;
  /** Per-tensor hook after renaming: drop (null), or add transforms. */
  tensor?(t: PlannedTensor, cfg: HfConfig): PlannedTensor | null;
  /** Tensors computed from the config (rope factors), written before the first block. */
  extra?(cfg: HfConfig): PlannedTensor[];
  /** Final touches to the vocabulary (BERT's phantom-space tokens). */
  vocab?(tok: Tokenizer): void;
}

/** Go strings.NewReplacer semantics over ordered pairs. */
export function replaceAll(name: string, pairs: [string, string][]): string {
  let out = "";
  for (let i = 0; i < name.length; ) {
    const hit = pairs.find(([from]) => from && name.startsWith(from, i));
    if (hit) {
      out += hit[1];
      i += hit[0].length;
    } else {
      out += name[i++];
    }
  }
  return out;
}

// Typed metadata values, skipping absent ones so a config without a field writes no key.
export const u32 = (v: unknown): GgufTypedValue | undefined => (typeof v === "number" && v > 0 ? { type: "uint32", value: Math.trunc(v) } : undefined);
export const f32 = (v: unknown): GgufTypedValue | undefined => (typeof v === "number" && v !== 0 ? { type: "float32", value: v } : undefined);
export const str = (v: unknown): GgufTypedValue | undefined => (typeof v === "string" ? { type: "string", value: v } : undefined);
export const bool = (v: unknown): GgufTypedValue | undefined => (typeof v === "boolean" ? { type: "bool", value: v } : undefined);

/** The first positive number among config keys (configs name the same thing differently). */
export function num(cfg: HfConfig, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = cfg[k];
    if (typeof v === "number" && v > 0) return v;
  }
  return undefined;
}

/** Builds `<arch>.<key>` entries, dropping undefined values. */
export function archKv(arch: string, entries: Record<string, GgufTypedValue | undefined>): Record<string, GgufTypedValue> {
  const out: Record<string, GgufTypedValue> = { "general.architecture": { type: "string", value: arch } };
  for (const [k, v] of Object.entries(entries)) {
    if (v === undefined) continue;
    out[k.startsWith("general.") || k.startsWith("tokenizer.") ? k : `${arch}.${k}`] = v;
  }
  return out;
}
