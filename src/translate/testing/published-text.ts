// The text sides of the rest of Ollama's table as Ollama publishes them: each a row of data for
// decoder() (keys, and what a layer holds), complete at tiny sizes (every tensor and key llama.cpp's
// loader reads for the target architecture, src/models/<arch>.cpp load_arch_hparams/load_arch_tensors).
// The layouts are the inverse of Ollama's fixes (ollama/ollama llama/compat/llama-ollama-compat.cpp):
// what each handler renames, the file carries under the old name.

import type { GgufTypedValue } from "../../gguf/index.js";
import { attention, decoder, decoderKeys, experts, expertKeys, ffn, head, type SyntheticModel } from "./decoder.js";
import { deltaKeys, deltaLayer, gatedAttention, sharedExpert } from "./hybrid.js";
import { SPM_VOCAB, spmVocab } from "./vocab.js";
import { f32, str, u32 } from "./weights.js";

export function olmo3(): SyntheticModel {
  const s = { embd: 32, layers: 2, ff: 64, heads: 2, kvHeads: 2, headDim: 16 };
  return decoder({
    arch: "olmo3",
    dims: s,
    keys: decoderKeys("olmo3", s),
    layer: (w, b) => [
      ...attention(w, b, 32, 32, 32).slice(1),
      w.norm(`${b}attn_q_norm.weight`, 32),
      w.norm(`${b}attn_k_norm.weight`, 32),
      w.norm(`${b}post_attention_norm.weight`, 32),
      ...ffn(w, b, 32, 64),
      w.norm(`${b}post_ffw_norm.weight`, 32),
    ],
  });
}

/** lfm2: a short-convolution layer and an attention layer; the FFNs after both. */
export function lfm2(): SyntheticModel {
  const s = { embd: 32, layers: 2, ff: 64, heads: 2, kvHeads: [0, 2], headDim: 16 };
  return {
    arch: "lfm2",
    // Ollama's converter wrote the FFN width before the auto-adjust; the tensors hold the real one.
    keys: { ...decoderKeys("lfm2", s), "lfm2.feed_forward_length": u32(999), "lfm2.shortconv.l_cache": u32(3) },
    tensors: (w) => [
      ...head(w, 32, false),
      w.norm("output_norm.weight", 32),
      w.norm("blk.0.attn_norm.weight", 32),
      w.tensor("blk.0.shortconv.conv.weight", [3, 32]),
      w.tensor("blk.0.shortconv.in_proj.weight", [32, 96]),
      w.tensor("blk.0.shortconv.out_proj.weight", [32, 32]),
      ...attention(w, "blk.1.", 32, 32, 32),
      w.norm("blk.1.attn_q_norm.weight", 16),
      w.norm("blk.1.attn_k_norm.weight", 16),
      ...[0, 1].flatMap((i) => [w.norm(`blk.${i}.ffn_norm.weight`, 32), ...ffn(w, `blk.${i}.`, 32, 64)]),
    ],
  };
}

export function glmocr(): SyntheticModel {
  const s = { embd: 32, layers: 2, ff: 64, heads: 2, kvHeads: 1, headDim: 16 };
  return decoder({
    arch: "glmocr",
    dims: s,
    keys: { ...decoderKeys("glmocr", s), "glmocr.rope.mrope_section": { type: "array<int32>", value: [2, 3, 3] } },
    layer: (w, b) => [
      ...attention(w, b, 32, 32, 16, "attn_out"),
      w.norm(`${b}post_attn_norm.weight`, 32),
      w.norm(`${b}ffn_norm.weight`, 32),
      ...ffn(w, b, 32, 64),
      w.norm(`${b}post_ffn_norm.weight`, 32),
    ],
  });
}

/** laguna: a dense layer, then a mixture-of-experts one. */
export function laguna(): SyntheticModel {
  const s = { embd: 32, layers: 2, ff: 64, heads: 2, kvHeads: 1, headDim: 16 };
  return decoder({
    arch: "laguna",
    dims: s,
    keys: {
      ...decoderKeys("laguna", s),
      "laguna.leading_dense_block_count": u32(1),
      ...expertKeys("laguna", 4, 2, 16),
      "laguna.attention.sliding_window": u32(16),
      "laguna.rope.swa.freq_base": f32(10000),
      "laguna.rope.swa.dimension_count": u32(16),
    },
    layer: (w, b, i) => [
      ...attention(w, b, 32, 32, 16),
      w.norm(`${b}attn_q_norm.weight`, 16),
      w.norm(`${b}attn_k_norm.weight`, 16),
      w.tensor(`${b}attn_g.weight`, [32, 2]),
      w.norm(`${b}ffn_norm.weight`, 32),
      ...(i === 0 ? ffn(w, b, 32, 64) : [...experts(w, b, 32, 16, 4, 16), w.tensor(`${b}exp_probs_b.bias`, [4])]),
    ],
  });
}

/**
 * glm4moelite: multi-head latent attention, per-head dims as Ollama's converter wrote them (key_length =
 * the MLA head); the handler derives the absorbed key/value lengths from the latent rank and the rope dims.
 */
export function glm4moelite(): SyntheticModel {
  const rank = 16;
  const rope = 8;
  const mla = 24;
  const heads = 2;
  return decoder({
    arch: "glm4moelite",
    dims: { embd: 32, layers: 2 },
    keys: {
      "glm4moelite.context_length": u32(256),
      "glm4moelite.embedding_length": u32(32),
      "glm4moelite.block_count": u32(2),
      "glm4moelite.feed_forward_length": u32(64),
      "glm4moelite.attention.head_count": u32(heads),
      "glm4moelite.attention.key_length": u32(mla),
      "glm4moelite.attention.value_length": u32(mla),
      "glm4moelite.attention.kv_lora_rank": u32(rank),
      "glm4moelite.attention.q_lora_rank": u32(16),
      "glm4moelite.rope.dimension_count": u32(rope),
      "glm4moelite.attention.layer_norm_rms_epsilon": f32(1e-6),
      "glm4moelite.leading_dense_block_count": u32(1),
      "glm4moelite.expert_count": u32(4),
      "glm4moelite.expert_used_count": u32(2),
      "glm4moelite.expert_shared_count": u32(1),
      "glm4moelite.expert_feed_forward_length": u32(16),
      "tokenizer.ggml.eos_token_ids": { type: "array<int32>", value: [2, 1] },
    },
    layer: (w, b, i) => [
      w.norm(`${b}attn_norm.weight`, 32),
      w.norm(`${b}attn_q_a_norm.weight`, 16),
      w.norm(`${b}attn_kv_a_norm.weight`, rank),
      w.tensor(`${b}attn_q_a.weight`, [32, 16]),
      w.tensor(`${b}attn_q_b.weight`, [16, heads * mla]),
      w.tensor(`${b}attn_kv_a_mqa.weight`, [32, rank + rope]),
      w.tensor(`${b}attn_k_b.weight`, [mla - rope, rank, heads]),
      w.tensor(`${b}attn_v_b.weight`, [rank, mla, heads]),
      w.tensor(`${b}attn_output.weight`, [heads * mla, 32]),
      w.norm(`${b}ffn_norm.weight`, 32),
      ...(i === 0 ? ffn(w, b, 32, 64) : experts(w, b, 32, 16, 4, 16)),
    ],
  });
}

/** deepseekocr: no RMS epsilon, no expert width (both derived); the SAM and vision towers inside. */
export function deepseekocr(): SyntheticModel {
  const s = { embd: 32, layers: 2, ff: 64, heads: 2, kvHeads: 2, headDim: 16 };
  const keys = decoderKeys("deepseekocr", s);
  delete keys["deepseekocr.attention.layer_norm_rms_epsilon"];
  return decoder({
    arch: "deepseekocr",
    dims: s,
    keys: { ...keys, "deepseekocr.leading_dense_block_count": u32(1), "deepseekocr.expert_count": u32(4), "deepseekocr.expert_used_count": u32(2) },
    layer: (w, b, i) => [...attention(w, b, 32, 32, 32), w.norm(`${b}ffn_norm.weight`, 32), ...(i === 0 ? ffn(w, b, 32, 64) : experts(w, b, 32, 16, 4, 32))],
    extra: (w) => [w.tensor("s.blk.0.attn.qkv.weight", [8, 24]), w.tensor("v.blk.0.attn_qkv.weight", [8, 24]), w.tensor("mm.layers.weight", [8, 32])],
  });
}

/**
 * The Qwen3-Next family: a gated delta-net layer then a gated attention layer. qwen3next fuses the
 * delta-net input projections and always routes experts; Qwen3.5 (qwen35, qwen35moe) splits them, has
 * M-RoPE sections, a vision tower and an MTP layer.
 */
export function qwenHybrid(arch: "qwen3next" | "qwen35" | "qwen35moe"): SyntheticModel {
  const next = arch === "qwen3next";
  const moe = arch !== "qwen35";
  const s = { embd: 32, layers: 2, ff: 32, heads: 2, kvHeads: [0, 1], headDim: 16 };
  return decoder({
    arch,
    dims: s,
    keys: {
      ...decoderKeys(arch, s),
      ...deltaKeys(arch),
      ...(next ? {} : { [`${arch}.rope.dimension_sections`]: { type: "array<int32>", value: [2, 3, 3] } as GgufTypedValue, [`${arch}.vision.block_count`]: u32(1) }),
      ...(moe ? expertKeys(arch, 4, 2, 16, 16) : {}),
    },
    layer: (w, b, i) => [
      w.norm(`${b}attn_norm.weight`, 32),
      w.norm(`${b}post_attention_norm.weight`, 32),
      ...(i === 0 ? deltaLayer(w, b, 32, next) : gatedAttention(w, b, 32, 2, 1, 16)),
      ...(moe ? [...experts(w, b, 32, 16, 4), ...sharedExpert(w, b, 32, 16)] : ffn(w, b, 32, 32)),
    ],
    extra: (w) => (next ? [] : [w.tensor("mtp.fc.weight", [64, 32]), w.tensor("v.blk.0.attn_qkv.weight", [16, 48])]),
  });
}

/** gemma4: BPE with merges under the name `llama`, per-layer inputs, dense and expert FFNs in every layer; audio and vision inside. */
export async function gemma4(): Promise<SyntheticModel> {
  const vocab = await spmVocab();
  // Gemma 4's vocabulary is BPE with merges; Ollama's converter named its model `llama`.
  vocab["tokenizer.ggml.merges"] = { type: "array<string>", value: ["▁ t", "h e"] };
  const s = { embd: 32, layers: 2, ff: 64, heads: 2, kvHeads: 1, headDim: 16 };
  return decoder({
    arch: "gemma4",
    dims: s,
    vocab,
    keys: {
      ...decoderKeys("gemma4", s),
      "gemma4.attention.sliding_window": u32(16),
      "gemma4.attention.sliding_window_pattern": { type: "array<bool>", value: [true, false] },
      "gemma4.attention.key_length_swa": u32(16),
      "gemma4.attention.value_length_swa": u32(16),
      "gemma4.embedding_length_per_layer_input": u32(8),
      ...expertKeys("gemma4", 4, 2, 16),
    },
    head: (w) => [
      w.tensor("token_embd.weight", [32, SPM_VOCAB]),
      w.tensor("per_layer_token_embd.weight", [8 * 2, SPM_VOCAB]),
      w.tensor("per_layer_model_proj.weight", [32, 8 * 2]),
      w.norm("per_layer_proj_norm.weight", 8),
    ],
    layer: (w, b, i) => [
      ...attention(w, b, 32, 32, 16),
      w.norm(`${b}attn_q_norm.weight`, 16),
      w.norm(`${b}attn_k_norm.weight`, 16),
      w.norm(`${b}post_attention_norm.weight`, 32),
      ...(i === 1 ? [w.norm("rope_freqs.weight", 8)] : []),
      w.norm(`${b}ffn_norm.weight`, 32),
      ...ffn(w, b, 32, 64),
      w.norm(`${b}post_ffw_norm.weight`, 32),
      w.tensor(`${b}ffn_gate_inp.weight`, [32, 4]),
      w.norm(`${b}ffn_gate_inp.scale`, 32),
      w.norm(`${b}ffn_gate_inp.per_expert_scale`, 4),
      w.norm(`${b}pre_ffw_norm_2.weight`, 32),
      w.norm(`${b}post_ffw_norm_1.weight`, 32),
      w.norm(`${b}post_ffw_norm_2.weight`, 32),
      w.tensor(`${b}ffn_gate_exps.weight`, [32, 16, 4]),
      w.tensor(`${b}ffn_up_exps.weight`, [32, 16, 4]),
      w.tensor(`${b}ffn_down_exps.weight`, [16, 32, 4]),
      w.tensor(`${b}inp_gate.weight`, [32, 8]),
      w.tensor(`${b}proj.weight`, [8, 32]),
      w.norm(`${b}post_norm.weight`, 32),
    ],
    extra: (w) => [w.tensor("v.blk.0.attn_q.weight", [16, 16]), w.tensor("a.blk.0.attn_q.weight", [16, 16])],
  });
}

/**
 * gemma3n: token_embd with four multimodal rows past the per-layer vocabulary, an `<unused99>` token at
 * 300, AltUp and LAuReL (llama.cpp fixes AltUp inputs at 4, LAuReL rank at 64, per-layer width at 256).
 */
export async function gemma3n(): Promise<SyntheticModel> {
  const altup = 4;
  const s = { embd: 32, layers: 1, ff: 64, heads: 2, kvHeads: 1, headDim: 16 };
  const vocab = await spmVocab(["<unused0>", "<unused1>", "<image>", "<audio>"]);
  vocab["tokenizer.ggml.tokens"]!.value = (vocab["tokenizer.ggml.tokens"]!.value as string[]).map((t, i) => (i === 300 ? "<unused99>" : t));
  return decoder({
    arch: "gemma3n",
    dims: s,
    vocab,
    keys: { ...decoderKeys("gemma3n", s), "gemma3n.attention.sliding_window": u32(16) },
    head: (w) => [
      w.tensor("token_embd.weight", [32, SPM_VOCAB + 4]),
      w.tensor("per_layer_token_embd.weight", [256, SPM_VOCAB], "F16"),
      w.tensor("per_layer_model_proj.weight", [32, 256]),
      w.norm("per_layer_proj_norm.weight", 256),
      w.tensor("altup_proj.weight", [32, 32, altup - 1]),
      w.tensor("altup_unembd_proj.weight", [32, 32, altup - 1]),
    ],
    layer: (w, b) => [
      ...attention(w, b, 32, 32, 16),
      w.norm(`${b}attn_q_norm.weight`, 16),
      w.norm(`${b}attn_k_norm.weight`, 16),
      w.norm(`${b}post_attention_norm.weight`, 32),
      w.norm(`${b}ffn_norm.weight`, 32),
      ...ffn(w, b, 32, 64),
      w.norm(`${b}post_ffw_norm.weight`, 32),
      w.tensor(`${b}inp_gate.weight`, [32, 256]),
      w.tensor(`${b}proj.weight`, [256, 32]),
      w.norm(`${b}post_norm.weight`, 32),
      w.tensor(`${b}altup_correct_coef.weight`, [altup, altup]),
      w.norm(`${b}altup_correct_scale.weight`, 32),
      w.tensor(`${b}altup_predict_coef.weight`, [altup, altup * altup]),
      w.tensor(`${b}altup_router.weight`, [32, altup]),
      w.norm(`${b}altup_router_norm.weight`, 32),
      w.tensor(`${b}laurel_l.weight`, [32, 64]),
      w.tensor(`${b}laurel_r.weight`, [64, 32]),
      w.norm(`${b}laurel_post_norm.weight`, 32),
    ],
    extra: (w) => [w.tensor("v.patch.weight", [16])],
  });
}
