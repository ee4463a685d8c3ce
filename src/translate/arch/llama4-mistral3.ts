// Llama 4 and Mistral 3 as Ollama publishes them (vision tower and projector inside the one file),
// Gemma 3n (vocabulary wider than its per-layer embeddings) and LLaVA projectors without a type.
// Facts: ollama/ollama llama/compat/llama-ollama-compat.cpp (handle_llama4[_clip], handle_mistral3[_clip],
// register_mistral3_vision_qk_permute, handle_gemma3n, handle_missing_llava_projector_type).

import { tensorByteSize } from "../../gguf/index.js";
import { GGML_F16, GGML_F32, wholeTensorOp, zerosOp } from "../ops.js";
import type { Plan } from "../plan.js";
import { archIs, CLIP_MEAN, CLIP_STD, copyKeys, F32_ARRAY, HALF3, type Handler, markProjector, missingOrDefault } from "./handler.js";

const LLAMA4_RENAMES: [string, string][] = [
  // The adapter MLP first, so the generic `.mlp.fc*` renames below cannot claim it.
  ["v.vision_adapter.mlp.fc1", "mm.model.mlp.1"],
  ["v.vision_adapter.mlp.fc2", "mm.model.mlp.2"],
  ["mm.linear_1", "mm.model.fc"],
  ["v.class_embedding", "v.class_embd"],
  ["v.layernorm_post", "v.post_ln"],
  ["v.layernorm_pre", "v.pre_ln"],
  ["v.patch_embedding", "v.patch_embd"],
  [".attn_output", ".attn_out"],
  [".attn_norm", ".ln1"],
  [".ffn_norm", ".ln2"],
  [".mlp.fc1", ".ffn_up"],
  [".mlp.fc2", ".ffn_down"],
];

export const llama4: Handler = {
  name: "llama4",
  detect: (p) => archIs(p, "llama4") && (p.hasPrefix("v.") || p.hasPrefix("mm.")),
  text(p: Plan) {
    p.hide("v.", "mm.");
  },
  projector(p: Plan) {
    p.require({
      keys: ["llama4.vision.block_count", "llama4.vision.embedding_length", "llama4.vision.attention.head_count", "llama4.embedding_length"],
      tensors: ["v.patch_embedding.weight", "mm.linear_1.weight"],
    });
    copyKeys(p, [
      ["llama4.vision.block_count", "clip.vision.block_count"],
      ["llama4.vision.embedding_length", "clip.vision.embedding_length"],
      ["llama4.vision.feed_forward_length", "clip.vision.feed_forward_length"],
      ["llama4.vision.attention.head_count", "clip.vision.attention.head_count"],
      ["llama4.vision.image_size", "clip.vision.image_size"],
      ["llama4.vision.patch_size", "clip.vision.patch_size"],
      ["llama4.vision.layer_norm_epsilon", "clip.vision.attention.layer_norm_epsilon"],
      ["llama4.embedding_length", "clip.vision.projection_dim"],
    ]);
    const ratio = p.num("llama4.vision.pixel_shuffle_ratio");
    const scale = ratio !== undefined && ratio > 0 ? Math.round(1 / ratio) || 2 : 2;
    p.inject("clip.vision.projector.scale_factor", "uint32", scale);
    p.inject("clip.vision.image_mean", F32_ARRAY, HALF3);
    p.inject("clip.vision.image_std", F32_ARRAY, HALF3);
    markProjector(p, "llama4", "gelu");
    p.set("clip.vision.projector_type", "string", "llama4");
    p.rename("v.positional_embedding_vlm", "v.position_embd.weight");
    for (const [from, to] of LLAMA4_RENAMES) p.renameContaining(from, to);
  },
};

const MISTRAL3_RENAMES: [string, string][] = [
  ["v.patch_conv", "v.patch_embd"],
  ["v.encoder_norm", "v.pre_ln"],
  [".attn_output", ".attn_out"],
  [".attn_norm", ".ln1"],
  [".ffn_norm", ".ln2"],
  ["mm.linear_1", "mm.1"],
  ["mm.linear_2", "mm.2"],
  ["mm.patch_merger.merging_layer", "mm.patch_merger"],
  ["mm.norm", "mm.input_norm"],
];

/**
 * Published vision Q/K rows are in Hugging Face order; Pixtral's graph ropes in llama.cpp's interleaved
 * order (LlamaModel.permute with the vision head count). Rows are whole, so any row-wise type works.
 */
function permuteQK(p: Plan, name: string, heads: number): void {
  const t = p.tensor(name);
  if (!t || t.type !== GGML_F16 || t.data.kind !== "copy") return;
  const rows = t.dims[1]!;
  if (rows % heads !== 0) return;
  const src = p.sourceOf(name);
  const rowBytes = tensorByteSize(t.type, [t.dims[0]!])!;
  const headDim = rows / heads;
  const half = headDim / 2;
  t.data = {
    kind: "op",
    op: wholeTensorOp(src.at, src.size, src.size, "vision Q/K rope permute", (bytes) => {
      const out = Buffer.allocUnsafe(bytes.length);
      for (let oa = 0; oa < rows; oa++) {
        const h = Math.floor(oa / headDim);
        const ob = h * headDim + (oa % 2) * half + Math.floor((oa % headDim) / 2);
        bytes.copy(out, oa * rowBytes, ob * rowBytes, (ob + 1) * rowBytes);
      }
      return out;
    }),
  };
}

export const mistral3: Handler = {
  name: "mistral3",
  detect: (p) =>
    archIs(p, "mistral3") &&
    (p.hasPrefix("v.") ||
      p.hasPrefix("mm.") ||
      p.has("mistral3.rope.scaling.beta_fast") ||
      p.has("mistral3.rope.scaling.mscale_all_dim") ||
      p.has("mistral3.rope.scaling_beta")),
  text(p: Plan) {
    p.copy("mistral3.rope.scaling.beta_fast", "mistral3.rope.scaling.yarn_beta_fast");
    p.copy("mistral3.rope.scaling.beta_slow", "mistral3.rope.scaling.yarn_beta_slow");
    p.copy("mistral3.rope.scaling.mscale_all_dim", "mistral3.rope.scaling.yarn_log_multiplier");
    p.copy("mistral3.rope.scaling_beta", "mistral3.attention.temperature_scale");
    if (missingOrDefault(p, "tokenizer.ggml.pre")) p.set("tokenizer.ggml.pre", "string", "tekken");
    p.hide("v.", "mm.");
  },
  projector(p: Plan) {
    p.require({
      keys: ["mistral3.vision.block_count", "mistral3.vision.embedding_length", "mistral3.vision.attention.head_count", "mistral3.embedding_length"],
      tensors: ["v.patch_conv.weight", "mm.linear_1.weight", "mm.linear_2.weight"],
    });
    copyKeys(p, [
      ["mistral3.vision.block_count", "clip.vision.block_count"],
      ["mistral3.vision.embedding_length", "clip.vision.embedding_length"],
      ["mistral3.vision.feed_forward_length", "clip.vision.feed_forward_length"],
      ["mistral3.vision.attention.head_count", "clip.vision.attention.head_count"],
      ["mistral3.vision.image_size", "clip.vision.image_size"],
      ["mistral3.vision.patch_size", "clip.vision.patch_size"],
      ["mistral3.vision.num_channels", "clip.vision.num_channels"],
      ["mistral3.spatial_merge_size", "clip.vision.spatial_merge_size"],
      ["mistral3.vision.rope.freq_base", "clip.rope.freq_base"],
      ["mistral3.embedding_length", "clip.vision.projection_dim"],
    ]);
    p.inject("clip.vision.attention.layer_norm_epsilon", "float32", 1e-5);
    p.inject("clip.vision.image_mean", F32_ARRAY, CLIP_MEAN);
    p.inject("clip.vision.image_std", F32_ARRAY, CLIP_STD);
    markProjector(p, "pixtral", "silu");
    // Pixtral adds the [IMG_BREAK] embedding between image rows; a zero row makes the marker a no-op
    // (the published file has no separate tensor for it).
    const embd = p.num("mistral3.embedding_length")!;
    p.add({ name: "v.token_embd.img_break", dims: [embd], type: GGML_F32, data: { kind: "op", op: zerosOp(embd * 4) } });
    const heads = p.num("mistral3.vision.attention.head_count")!;
    const blocks = p.num("mistral3.vision.block_count")!;
    for (let b = 0; b < blocks; b++) {
      permuteQK(p, `v.blk.${b}.attn_q.weight`, heads);
      permuteQK(p, `v.blk.${b}.attn_k.weight`, heads);
    }
    for (const [from, to] of MISTRAL3_RENAMES) p.renameContaining(from, to);
    p.promoteF32("v.patch_embd.weight");
  },
};

/** Gemma 3n: the tokenizer and token_embd carry the multimodal vocabulary, per-layer embeddings the text one. */
export const gemma3n: Handler = {
  name: "gemma3n",
  detect(p) {
    if (!archIs(p, "gemma3n")) return false;
    const te = p.tensor("token_embd.weight");
    const pe = p.tensor("per_layer_token_embd.weight");
    return te !== undefined && pe !== undefined && te.dims[1] !== pe.dims[1];
  },
  text(p: Plan) {
    const vocab = p.tensor("per_layer_token_embd.weight")!.dims[1]!;
    p.set("tokenizer.ggml.model", "string", "llama");
    // The first `vocab` rows are the text vocabulary: read fewer rows from the same place.
    const te = p.tensor("token_embd.weight")!;
    te.dims = [te.dims[0]!, vocab];
    if (te.data.kind === "copy") te.data = { kind: "copy", at: te.data.at, size: tensorByteSize(te.type, te.dims)! };
    for (const k of ["tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"]) p.truncateArray(k, vocab);
    const toks = p.value("tokenizer.ggml.tokens");
    const types = p.value("tokenizer.ggml.token_type");
    if (Array.isArray(toks) && Array.isArray(types) && p.kv.get("tokenizer.ggml.token_type")!.type === "array<int32>") {
      const fixed = types.map((ty, i) => {
        const tok = toks[i];
        if (typeof tok === "string" && tok.length === 6 && tok.startsWith("<0x") && tok.endsWith(">")) return 6; // byte token
        if (typeof tok === "string" && tok.startsWith("<unused")) return 1; // normal
        return ty;
      });
      p.set("tokenizer.ggml.token_type", "array<int32>", fixed);
    }
    const eos = p.kv.get("tokenizer.ggml.eos_token_ids");
    if (eos && Array.isArray(eos.value)) {
      if (!eos.value.map(Number).includes(106)) p.set("tokenizer.ggml.eos_token_ids", eos.type, [...eos.value, 106]);
    } else {
      p.set("tokenizer.ggml.eos_token_ids", "array<int32>", [1, 106]);
    }
    p.hide("v.", "a.", "mm.");
  },
};

/** LLaVA/BakLLaVA projectors written before `clip.projector_type` existed default to the MLP projector. */
export const llavaProjector: Handler = {
  name: "clip-llava",
  detect: (p) =>
    archIs(p, "clip") && p.value("clip.has_vision_encoder") === true && !p.has("clip.projector_type") && !p.has("clip.vision.projector_type"),
  projector(p: Plan) {
    p.set("clip.projector_type", "string", "mlp");
  },
};
