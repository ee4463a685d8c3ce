// The vision-carrying decoders as Ollama publishes them, each with its tower inside the model file in
// the names its converter chose: Qwen2.5-VL, Qwen3-VL (and -MoE), Mistral Small 3.x (Pixtral) and Llama 4.

import type { GgufWriteTensor } from "../../gguf/index.js";
import { expertKeys, writeLlamaLike } from "./decoder.js";
import { type Weights, f32, u32 } from "./weights.js";

/** How a published vision tower names its block tensors (each converter chose its own). */
interface BlockNames {
  ln1: string;
  ln2: string;
  out: string;
  up: string;
  down: string;
  /** A gated (SwiGLU) FFN's gate. */
  gate?: string;
}

/** Vision transformer blocks `v.blk.<i>.…`: Q/K/V/output projections, two norms, the FFN. */
export function visionBlocks(
  w: Weights,
  s: { blocks: number; embd: number; ff: number; names: BlockNames; bias: boolean; rms: boolean; qkType?: "F32" | "F16" },
): GgufWriteTensor[] {
  const out: GgufWriteTensor[] = [];
  for (let i = 0; i < s.blocks; i++) {
    const b = `v.blk.${i}.`;
    const lin = (name: string, from: number, to: number, type: "F32" | "F16" = "F32") => [
      w.tensor(`${b}${name}.weight`, [from, to], type),
      ...(s.bias ? [w.tensor(`${b}${name}.bias`, [to])] : []),
    ];
    const norm = (name: string) => [w.norm(`${b}${name}.weight`, s.embd), ...(s.rms ? [] : [w.tensor(`${b}${name}.bias`, [s.embd])])];
    out.push(
      ...norm(s.names.ln1),
      ...lin("attn_q", s.embd, s.embd, s.qkType),
      ...lin("attn_k", s.embd, s.embd, s.qkType),
      ...lin("attn_v", s.embd, s.embd),
      ...lin(s.names.out, s.embd, s.embd),
      ...norm(s.names.ln2),
      ...lin(s.names.up, s.embd, s.ff),
      ...(s.names.gate ? lin(s.names.gate, s.embd, s.ff) : []),
      ...lin(s.names.down, s.ff, s.embd),
    );
  }
  return out;
}

/** The tiny vision towers below: width 32, two heads of 16 (2D/M-RoPE need head dims divisible by 4). */
const V = { embd: 32, heads: 2, ff: 64 };
/** The decoder beside the towers (but Qwen3-VL's, whose head dim llama.cpp fixes at 128). */
const TEXT = { embd: 64, layers: 2, heads: 4, kvHeads: 2, headDim: 16, ff: 128 };

/**
 * Qwen2.5-VL as Ollama publishes it: a qwen25vl decoder (M-RoPE sections as 3 items) with the vision
 * tower inside — two Conv2D patch slices, RMS-normed SwiGLU blocks (block 1 full attention, block 0
 * windowed), the merger's ln_q and MLP under `v.merger.`.
 */
export async function writePublishedQwen25vl(path: string): Promise<void> {
  const text = TEXT.embd;
  const merged = V.embd * 4;
  await writeLlamaLike(path, {
    arch: "qwen25vl",
    ...TEXT,
    qkvBias: true,
    keys: {
      "qwen25vl.rope.mrope_section": { type: "array<int32>", value: [2, 3, 3] },
      "qwen25vl.vision.block_count": u32(2),
      "qwen25vl.vision.embedding_length": u32(V.embd),
      "qwen25vl.vision.attention.head_count": u32(V.heads),
      "qwen25vl.vision.attention.layer_norm_epsilon": f32(1e-6),
      "qwen25vl.vision.patch_size": u32(14),
      "qwen25vl.vision.spatial_merge_size": u32(2),
      "qwen25vl.vision.window_size": u32(112),
      "qwen25vl.vision.fullatt_block_indexes": { type: "array<int32>", value: [1] },
    },
    tensors: (w) => [
      w.tensor("v.patch_embd_0.weight", [14, 14, 3, V.embd], "F16"),
      w.tensor("v.patch_embd_1.weight", [14, 14, 3, V.embd], "F16"),
      ...visionBlocks(w, { blocks: 2, ...V, bias: true, rms: true, names: { ln1: "ln1", ln2: "ln2", out: "attn_out", up: "ffn_up", gate: "ffn_gate", down: "ffn_down" } }),
      w.norm("v.merger.ln_q.weight", V.embd),
      w.tensor("v.merger.mlp.0.weight", [merged, merged]),
      w.tensor("v.merger.mlp.0.bias", [merged]),
      w.tensor("v.merger.mlp.2.weight", [merged, text]),
      w.tensor("v.merger.mlp.2.bias", [text]),
    ],
  });
}

/**
 * Qwen3-VL as Ollama publishes it: the decoder (head dim 128, no M-RoPE sections: the handler injects
 * the family's) with the tower inside — one Conv3D patch embedding packed [P, P, 2, C_out·C_in] in F16,
 * learned positions in F16, LayerNorm GELU blocks with separate Q/K/V (F16 Q/K), the merger, and one
 * deepstack adapter after block 1 (so llama.cpp's text input is twice the embedding width).
 */
export const QWEN3VL_PATCH = 16;

export async function writePublishedQwen3vl(path: string, arch: "qwen3vl" | "qwen3vlmoe" = "qwen3vl"): Promise<void> {
  const text = 128;
  const merged = V.embd * 4;
  const a = arch;
  await writeLlamaLike(path, {
    arch,
    embd: text,
    layers: 2,
    heads: 1,
    kvHeads: 1,
    headDim: 128,
    ff: 128,
    qkNorm: true,
    // Qwen3-VL-MoE: every layer routed, no shared expert (llama.cpp's qwen3vlmoe).
    ...(arch === "qwen3vlmoe" ? { moe: { every: 1, experts: 4, ff: 32, shared: false } } : {}),
    keys: {
      ...(arch === "qwen3vlmoe" ? expertKeys(a, 4, 2, 32) : {}),
      [`${a}.vision.block_count`]: u32(2),
      [`${a}.vision.embedding_length`]: u32(V.embd),
      [`${a}.vision.attention.head_count`]: u32(V.heads),
      [`${a}.vision.attention.layer_norm_epsilon`]: f32(1e-6),
      [`${a}.vision.patch_size`]: u32(QWEN3VL_PATCH),
      [`${a}.vision.spatial_merge_size`]: u32(2),
      [`${a}.vision.num_channels`]: u32(3),
      [`${a}.vision.deepstack_visual_indexes`]: { type: "array<int32>", value: [1] },
    },
    tensors: (w) => [
      w.tensor("v.patch_embed.weight", [QWEN3VL_PATCH, QWEN3VL_PATCH, 2, V.embd * 3], "F16"),
      w.tensor("v.patch_embed.bias", [V.embd]),
      w.tensor("v.pos_embed.weight", [V.embd, 16], "F16"),
      ...visionBlocks(w, {
        blocks: 2,
        ...V,
        bias: true,
        rms: false,
        qkType: "F16",
        names: { ln1: "norm1", ln2: "norm2", out: "attn_out", up: "mlp.linear_fc1", down: "mlp.linear_fc2" },
      }),
      w.norm("v.merger.norm.weight", V.embd),
      w.tensor("v.merger.norm.bias", [V.embd]),
      w.tensor("v.merger.linear_fc1.weight", [merged, merged]),
      w.tensor("v.merger.linear_fc1.bias", [merged]),
      w.tensor("v.merger.linear_fc2.weight", [merged, text]),
      w.tensor("v.merger.linear_fc2.bias", [text]),
      w.norm("v.deepstack_merger.0.norm.weight", merged),
      w.tensor("v.deepstack_merger.0.norm.bias", [merged]),
      w.tensor("v.deepstack_merger.0.linear_fc1.weight", [merged, merged]),
      w.tensor("v.deepstack_merger.0.linear_fc1.bias", [merged]),
      w.tensor("v.deepstack_merger.0.linear_fc2.weight", [merged, text]),
      w.tensor("v.deepstack_merger.0.linear_fc2.bias", [text]),
    ],
  });
}

/**
 * Mistral Small 3.x as Ollama publishes it: the mistral3 decoder with Ollama's YaRN key names and the
 * Pixtral tower inside — `patch_conv` in F16, `encoder_norm`, RMS-normed SwiGLU blocks whose Q/K rows are
 * in Hugging Face order (F16), the 2×2 patch merger and the two-layer projector under `mm.`.
 */
export async function writePublishedMistral3(path: string): Promise<void> {
  const text = TEXT.embd;
  await writeLlamaLike(path, {
    arch: "mistral3",
    ...TEXT,
    keys: {
      "mistral3.rope.scaling.beta_fast": f32(32),
      "mistral3.rope.scaling.beta_slow": f32(1),
      "mistral3.spatial_merge_size": u32(2),
      "mistral3.vision.block_count": u32(1),
      "mistral3.vision.embedding_length": u32(V.embd),
      "mistral3.vision.feed_forward_length": u32(V.ff),
      "mistral3.vision.attention.head_count": u32(V.heads),
      "mistral3.vision.patch_size": u32(8),
      "mistral3.vision.image_size": u32(64),
      "mistral3.vision.num_channels": u32(3),
      "mistral3.vision.rope.freq_base": f32(10000),
    },
    tensors: (w) => [
      w.tensor("v.patch_conv.weight", [8, 8, 3, V.embd], "F16"),
      w.norm("v.encoder_norm.weight", V.embd),
      ...visionBlocks(w, {
        blocks: 1,
        ...V,
        bias: false,
        rms: true,
        qkType: "F16",
        names: { ln1: "attn_norm", ln2: "ffn_norm", out: "attn_output", up: "ffn_up", gate: "ffn_gate", down: "ffn_down" },
      }),
      w.norm("mm.norm.weight", V.embd),
      w.tensor("mm.patch_merger.merging_layer.weight", [V.embd * 4, V.embd]),
      w.tensor("mm.linear_1.weight", [V.embd, text]),
      w.tensor("mm.linear_2.weight", [text, text]),
    ],
  });
}

/**
 * Llama 4 as Ollama publishes it: the llama4 decoder (every second layer mixture-of-experts with a shared
 * expert, four layers so one is full attention) with the tower inside — the unfold-convolution patch
 * embedding as a matrix, class token, learned positions, LayerNorm GELU blocks, the pixel-shuffle
 * adapter MLP under `v.vision_adapter.` and the projector as `mm.linear_1`.
 */
export async function writePublishedLlama4(path: string): Promise<void> {
  const text = TEXT.embd;
  const patch = 14;
  const grid = 2;
  await writeLlamaLike(path, {
    arch: "llama4",
    ...TEXT,
    layers: 4,
    moe: { every: 2, experts: 2, ff: 32 },
    keys: {
      ...expertKeys("llama4", 2, 1, 32),
      "llama4.interleave_moe_layer_step": u32(2),
      "llama4.vision.block_count": u32(1),
      "llama4.vision.embedding_length": u32(V.embd),
      "llama4.vision.feed_forward_length": u32(V.ff),
      "llama4.vision.attention.head_count": u32(V.heads),
      "llama4.vision.image_size": u32(patch * grid),
      "llama4.vision.patch_size": u32(patch),
      "llama4.vision.layer_norm_epsilon": f32(1e-5),
      "llama4.vision.pixel_shuffle_ratio": f32(0.5),
    },
    tensors: (w) => [
      w.tensor("v.patch_embedding.weight", [patch * patch * 3, V.embd], "F16"),
      w.tensor("v.positional_embedding_vlm", [V.embd, grid * grid + 1]),
      w.tensor("v.class_embedding", [V.embd]),
      w.norm("v.layernorm_pre.weight", V.embd),
      w.tensor("v.layernorm_pre.bias", [V.embd]),
      w.norm("v.layernorm_post.weight", V.embd),
      w.tensor("v.layernorm_post.bias", [V.embd]),
      ...visionBlocks(w, { blocks: 1, ...V, bias: true, rms: false, names: { ln1: "attn_norm", ln2: "ffn_norm", out: "attn_output", up: "mlp.fc1", down: "mlp.fc2" } }),
      w.tensor("v.vision_adapter.mlp.fc1.weight", [V.embd * 4, text]),
      w.tensor("v.vision_adapter.mlp.fc2.weight", [text, text]),
      w.tensor("mm.linear_1.weight", [text, text]),
    ],
  });
}
