// Flash attention and the KV cache's element type, as Ollama sets them for llama.cpp (ollama-spec §4,
// llm/server.go): OLLAMA_FLASH_ATTENTION unset leaves flash attention to llama.cpp ("auto"), set it forces it on
// or off; OLLAMA_KV_CACHE_TYPE picks the cache type for keys and values alike. A quantized cache (q8_0, q4_0)
// is used only with flash attention forced on, as Ollama requires; any other value is warned about and the
// cache stays f16. The server resolves the variables once; the engine applies the result to every context.

import { GGML_TYPE } from "./native/structs.js";

export type FlashAttention = "auto" | "on" | "off";
export type KvCacheType = "f16" | "q8_0" | "q4_0";

interface KvType {
  ggmlType: number;
  /** Bytes per cached element (a q8_0 block: 32 values in 34 bytes; q4_0: 32 in 18). */
  bytesPerElement: number;
  /** Values per block: a head's width must be a multiple of it (llama.cpp refuses the context otherwise). */
  blockSize: number;
}

export const KV_CACHE_TYPES: Record<KvCacheType, KvType> = {
  f16: { ggmlType: GGML_TYPE.f16, bytesPerElement: 2, blockSize: 1 },
  q8_0: { ggmlType: GGML_TYPE.q8_0, bytesPerElement: 34 / 32, blockSize: 32 },
  q4_0: { ggmlType: GGML_TYPE.q4_0, bytesPerElement: 18 / 32, blockSize: 32 },
};

export interface KvCacheSettings {
  flashAttention: FlashAttention;
  kvCacheType: KvCacheType;
  /** Ollama's warning when the requested type is not used. */
  warning?: string;
}

/**
 * `flashAttention`: OLLAMA_FLASH_ATTENTION as a tri-state bool (undefined = unset). `requested`: OLLAMA_KV_CACHE_TYPE
 * as given (case does not matter; "" = default).
 */
export function kvCacheSettings(flashAttention: boolean | undefined, requested: string): KvCacheSettings {
  const fa: FlashAttention = flashAttention === undefined ? "auto" : flashAttention ? "on" : "off";
  const type = requested.toLowerCase();
  if (type === "" || type === "f16") return { flashAttention: fa, kvCacheType: "f16" };
  // Ollama's KVCacheTypeIsQuantized: anything but "", f16, f32 and bf16.
  const quantized = !["f32", "bf16"].includes(type);
  if (quantized && fa !== "on") {
    return { flashAttention: fa, kvCacheType: "f16", warning: `OLLAMA_FLASH_ATTENTION must be enabled to use a quantized OLLAMA_KV_CACHE_TYPE (type ${type}); using f16` };
  }
  if (type === "q8_0" || type === "q4_0") return { flashAttention: fa, kvCacheType: type };
  return { flashAttention: fa, kvCacheType: "f16", warning: `unsupported OLLAMA_KV_CACHE_TYPE ${type}; using f16` };
}

/**
 * The cache type a model gets: a quantized type only where its blocks divide every key and value head (llama.cpp
 * refuses the context otherwise, and Ollama then fails the load); f16 elsewhere.
 */
export function kvCacheFor(type: KvCacheType | undefined, headDimK: number, headDimV: number): KvCacheType {
  const t = type ?? "f16";
  const block = KV_CACHE_TYPES[t].blockSize;
  return headDimK % block === 0 && headDimV % block === 0 ? t : "f16";
}
