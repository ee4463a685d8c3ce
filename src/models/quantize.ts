// `quantize` in /api/create (ollama-spec §7.4): the model layer, if F32/F16/BF16, is rewritten by
// llama.cpp's own quantizer into a new blob. Ollama runs `llama-quantize --allow-requantize` with a few
// per-architecture `--tensor-type` overrides (server/quantization.go llamaQuantizeArgs); herd passes the
// same overrides to llama_model_quantize. Progress is Ollama's `quantizing F16 model to Q4_K_M` bar.

import type { ProgressResponse } from "../api/types.js";
import { type GgufFile, describeGguf } from "../gguf/index.js";
import { cpuTopology } from "../runner/index.js";
import { runQuantize, type QuantizeJob } from "../runner/quantize.js";
import type { BlobInfo, Store } from "../store/index.js";
import { BadRequestError } from "../util/errors.js";
import type { QuantizeType } from "./quantize-type.js";

/** Ollama's overrides for the K-quants, by `general.architecture`. */
function overridesFor(arch: string, target: QuantizeType): QuantizeJob["overrides"] {
  if (target !== "Q4_K_S" && target !== "Q4_K_M") return undefined;
  if (arch.startsWith("qwen35")) return [{ pattern: "blk\\.\\d+\\.nextn\\.eh_proj\\.weight", type: "q8_0" }];
  if (arch === "gemma3n") return [{ pattern: "per_layer_token_embd\\.weight", type: "f16" }];
  if (arch === "deepseek2") {
    return ["attn_k_b", "attn_q_a", "attn_q_b", "attn_v_b", "attn_kv_a_mqa"].map((t) => ({ pattern: `blk\\.\\d+\\.${t}\\.weight`, type: "q8_0" as const }));
  }
  if (arch === "glmocr" || arch === "glm4") return [{ pattern: "token_embd\\.weight", type: "f16" }, { pattern: "output\\.weight", type: "f16" }];
  return undefined;
}

/**
 * Threads for llama_model_quantize: one per physical core. The work is SIMD-bound row blocks, where a
 * second hyperthread adds little; a create is a foreground job the user waits for, so it takes the cores.
 */
function quantizeThreads(): number {
  return Math.max(1, cpuTopology().physical);
}

/** The source's type as Ollama names it, or a 400 when it cannot be quantized. */
export function quantizeSource(gguf: GgufFile): string {
  const level = describeGguf(gguf).quantization_level;
  if (level !== "F32" && level !== "F16" && level !== "BF16") throw new BadRequestError("quantization is only supported for F16, BF16 and F32 models");
  return level;
}

export async function quantizeBlob(
  store: Store,
  source: { digest: string; gguf: GgufFile },
  target: QuantizeType,
  onProgress: (p: ProgressResponse) => void,
  signal?: AbortSignal,
): Promise<BlobInfo> {
  const from = quantizeSource(source.gguf);
  const status = `quantizing ${from} model to ${target}`;
  const total = source.gguf.fileSize;
  onProgress({ status, digest: "0000000000000000000", total, completed: 0 });
  const output = await store.blobs.tempPath();
  const arch = String(source.gguf.metadata["general.architecture"] ?? "");
  await runQuantize(
    { input: store.blobs.path(source.digest), output, ftype: target, nthread: quantizeThreads(), overrides: overridesFor(arch, target) },
    {
      signal,
      // llama.cpp reports tensors done; the bar is bytes of the source, as far as they go.
      onProgress: (done, n) => onProgress({ status, digest: "0000000000000000000", total, completed: Math.round((total * done) / n) }),
    },
  );
  return store.blobs.adopt(output);
}
