// Gemma 3 as Ollama publishes it: vision tower and projector inside the one file, nested rope key
// names, no RMS epsilon, and tokenizer arrays longer than the embedding (multimodal tokens).
// Facts: ollama/ollama llama/compat/llama-ollama-compat.cpp (handle_gemma3, handle_gemma3_clip,
// handle_embeddinggemma).

import type { Plan } from "../plan.js";
import { archIs, copyKeys, F32_ARRAY, HALF3, type Handler, markProjector } from "./handler.js";

/** Gemma's own chat template (Hugging Face `google/gemma-3-*` tokenizer_config), for files without one. */
const GEMMA3_TEMPLATE =
  "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}" +
  "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}" +
  "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
  "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}" +
  "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";

const CLIP_RENAMES: [string, string][] = [
  ["v.patch_embedding", "v.patch_embd"],
  ["v.position_embedding", "v.position_embd"],
  ["v.post_layernorm", "v.post_ln"],
  [".layer_norm1", ".ln1"],
  [".layer_norm2", ".ln2"],
  [".attn_output", ".attn_out"],
  [".mlp.fc1", ".ffn_down"],
  [".mlp.fc2", ".ffn_up"],
  ["mm.mm_input_projection", "mm.input_projection"],
  ["mm.mm_soft_emb_norm", "mm.soft_emb_norm"],
];

export const gemma3: Handler = {
  name: "gemma3",
  detect: (p) =>
    archIs(p, "gemma3") &&
    (p.has("gemma3.mm.tokens_per_image") ||
      p.hasPrefix("v.") ||
      p.hasPrefix("mm.") ||
      p.has("gemma3.rope.global.freq_base") ||
      p.has("gemma3.rope.local.freq_base") ||
      p.has("tokenizer.ggml.add_padding_token") ||
      p.has("tokenizer.ggml.add_unknown_token") ||
      !p.has("gemma3.attention.layer_norm_rms_epsilon")),

  text(p: Plan) {
    p.require({ tensors: ["token_embd.weight"] });
    p.copy("gemma3.rope.global.freq_base", "gemma3.rope.freq_base");
    p.copy("gemma3.rope.local.freq_base", "gemma3.rope.freq_base_swa");
    p.inject("gemma3.attention.layer_norm_rms_epsilon", "float32", 1e-6);
    p.inject("gemma3.rope.freq_base", "float32", 1000000);
    p.inject("gemma3.rope.freq_base_swa", "float32", 10000);
    p.inject("tokenizer.chat_template", "string", GEMMA3_TEMPLATE);
    // 4B/12B/27B extend a 16k trained context to 128k with linear rope scaling; the 1B has none.
    if ((p.num("gemma3.context_length") ?? 0) >= 131072) {
      p.inject("gemma3.rope.scaling.type", "string", "linear");
      p.inject("gemma3.rope.scaling.factor", "float32", 8);
    }
    // Extra multimodal tokens (e.g. <image_soft_token>) beyond the embedding rows fail llama.cpp's shape check.
    const rows = p.tensor("token_embd.weight")!.dims[1]!;
    for (const k of ["tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"]) p.truncateArray(k, rows);
    p.hide("v.", "mm.");
  },

  projector(p: Plan) {
    p.require({
      keys: [
        "gemma3.vision.block_count",
        "gemma3.vision.embedding_length",
        "gemma3.vision.feed_forward_length",
        "gemma3.vision.image_size",
        "gemma3.vision.patch_size",
        "gemma3.vision.attention.head_count",
        "gemma3.embedding_length",
      ],
      tensors: ["v.patch_embedding.weight", "mm.mm_input_projection.weight"],
    });
    copyKeys(p, [
      ["gemma3.vision.block_count", "clip.vision.block_count"],
      ["gemma3.vision.embedding_length", "clip.vision.embedding_length"],
      ["gemma3.vision.feed_forward_length", "clip.vision.feed_forward_length"],
      ["gemma3.vision.image_size", "clip.vision.image_size"],
      ["gemma3.vision.patch_size", "clip.vision.patch_size"],
      ["gemma3.vision.attention.head_count", "clip.vision.attention.head_count"],
      ["gemma3.vision.attention.layer_norm_epsilon", "clip.vision.attention.layer_norm_epsilon"],
      ["gemma3.embedding_length", "clip.vision.projection_dim"],
    ]);
    // Ollama pools the patch grid down to mm.tokens_per_image (256 when absent); llama.cpp pools by
    // clip.vision.projector.scale_factor per side (4 when absent). Published gemma3 sizes agree with 4,
    // but a file whose grid and token count say otherwise would otherwise give a different token count.
    const side = p.num("gemma3.vision.image_size")! / p.num("gemma3.vision.patch_size")!;
    const perSide = Math.round(Math.sqrt(p.num("gemma3.mm.tokens_per_image") ?? 256));
    if (perSide > 0 && Number.isInteger(side / perSide)) p.set("clip.vision.projector.scale_factor", "uint32", side / perSide);
    p.inject("clip.vision.image_mean", F32_ARRAY, HALF3);
    p.inject("clip.vision.image_std", F32_ARRAY, HALF3);
    markProjector(p, "gemma3", "gelu");
    for (const [from, to] of CLIP_RENAMES) p.renameContaining(from, to);
    p.promoteF32("v.patch_embd.weight");
    p.promoteF32("v.position_embd.weight");
  },
};

/** embeddinggemma: arch gemma3 plus the sentence-transformers dense head; llama.cpp's `gemma-embedding`. */
export const embeddingGemma: Handler = {
  name: "embeddinggemma",
  detect: (p) => archIs(p, "gemma3") && p.tensor("dense.0.weight") !== undefined,
  text(p: Plan) {
    p.require({ tensors: ["dense.0.weight", "dense.1.weight"] });
    p.set("general.architecture", "string", "gemma-embedding");
    p.movePrefix("gemma3.", "gemma-embedding.");
    p.remove("gemma-embedding.attention.causal");
    p.remove("gemma-embedding.attention.sliding_window_pattern");
    p.inject("gemma-embedding.rope.freq_base_swa", "float32", 10000);
    const d0 = p.tensor("dense.0.weight")!.dims;
    const d1 = p.tensor("dense.1.weight")!.dims;
    p.set("gemma-embedding.dense_2_feat_in", "uint32", d0[0]!);
    p.set("gemma-embedding.dense_2_feat_out", "uint32", d0[1]!);
    p.set("gemma-embedding.dense_3_feat_in", "uint32", d1[0]!);
    p.set("gemma-embedding.dense_3_feat_out", "uint32", d1[1]!);
    p.rename("dense.0.weight", "dense_2.weight");
    p.rename("dense.1.weight", "dense_3.weight");
    p.rename("norm.weight", "output_norm.weight");
  },
};
