// The recurrent-hybrid decoders' parts as Ollama published them: Qwen3-Next/Qwen3.5's gated delta-net
// layers beside gated attention, and Nemotron-H's Mamba-2 / attention / latent-MoE layers.

import type { GgufWriteTensor } from "../../gguf/index.js";
import { attention, decoderKeys, expertKeys, head, type SyntheticModel } from "./decoder.js";
import { type Md, type Weights, f32, u32 } from "./weights.js";

/** Gated delta-net dims: 2 key heads and 2 value heads of 16 (inner 32), conv kernel 4. */
const delta = { state: 16, groups: 2, vHeads: 2, conv: 4 };

export function deltaKeys(a: string): Md {
  return {
    [`${a}.ssm.conv_kernel`]: u32(delta.conv),
    [`${a}.ssm.inner_size`]: u32(delta.state * delta.vHeads),
    [`${a}.ssm.state_size`]: u32(delta.state),
    [`${a}.ssm.time_step_rank`]: u32(delta.vHeads),
    [`${a}.ssm.group_count`]: u32(delta.groups),
    // Layer 0 recurrent, layer 1 full attention.
    [`${a}.full_attention_interval`]: u32(2),
  };
}

/** A linear-attention layer as Ollama published it: `ssm_dt` without its `.bias` suffix. */
export function deltaLayer(w: Weights, b: string, embd: number, fused: boolean): GgufWriteTensor[] {
  const key = delta.state * delta.groups;
  const value = delta.state * delta.vHeads;
  const out = [
    w.tensor(`${b}ssm_conv1d.weight`, [delta.conv, 2 * key + value]),
    w.tensor(`${b}ssm_dt`, [delta.vHeads]),
    w.tensor(`${b}ssm_a`, [delta.vHeads]),
    w.norm(`${b}ssm_norm.weight`, delta.state),
    w.tensor(`${b}ssm_out.weight`, [value, embd]),
  ];
  if (fused) out.push(w.tensor(`${b}ssm_in.weight`, [embd, 2 * key + 2 * value]), w.tensor(`${b}ssm_ba.weight`, [embd, 2 * delta.vHeads]));
  else {
    out.push(
      w.tensor(`${b}attn_qkv.weight`, [embd, 2 * key + value]),
      w.tensor(`${b}attn_gate.weight`, [embd, value]),
      w.tensor(`${b}ssm_beta.weight`, [embd, delta.vHeads]),
      w.tensor(`${b}ssm_alpha.weight`, [embd, delta.vHeads]),
    );
  }
  return out;
}

/** Qwen3-Next-style gated full attention: Q carries its gate (twice the width), Q/K norms. */
export function gatedAttention(w: Weights, b: string, embd: number, heads: number, kv: number, hd: number): GgufWriteTensor[] {
  return [
    w.tensor(`${b}attn_q.weight`, [embd, 2 * heads * hd]),
    w.tensor(`${b}attn_k.weight`, [embd, kv * hd]),
    w.tensor(`${b}attn_v.weight`, [embd, kv * hd]),
    w.tensor(`${b}attn_output.weight`, [heads * hd, embd]),
    w.norm(`${b}attn_q_norm.weight`, hd),
    w.norm(`${b}attn_k_norm.weight`, hd),
  ];
}

/** A shared expert beside routed ones, with its own input gate. */
export function sharedExpert(w: Weights, b: string, embd: number, ff: number): GgufWriteTensor[] {
  return [
    w.tensor(`${b}ffn_gate_inp_shexp.weight`, [embd]),
    w.tensor(`${b}ffn_gate_shexp.weight`, [embd, ff]),
    w.tensor(`${b}ffn_up_shexp.weight`, [embd, ff]),
    w.tensor(`${b}ffn_down_shexp.weight`, [ff, embd]),
  ];
}

/**
 * A Nemotron-H hybrid as Ollama published it: a Mamba-2 layer, an attention layer and a latent
 * mixture-of-experts layer (per-layer KV heads and FFN widths say which), `ffn_latent_in/out`.
 */
export function nemotron(arch: string, extra: (w: Weights) => GgufWriteTensor[], dense = false): SyntheticModel {
  const a = arch;
  const inner = 32;
  const state = 16;
  const ssmHeads = 2;
  return {
    arch,
    keys: {
      ...decoderKeys(a, { embd: 32, layers: 3, ff: 0, heads: 2, kvHeads: [0, 1, 0], headDim: 16 }),
      [`${a}.feed_forward_length`]: { type: "array<int32>", value: [0, 0, 32] },
      [`${a}.attention.layer_norm_epsilon`]: f32(1e-5),
      [`${a}.ssm.conv_kernel`]: u32(4),
      [`${a}.ssm.inner_size`]: u32(inner),
      [`${a}.ssm.state_size`]: u32(state),
      [`${a}.ssm.time_step_rank`]: u32(ssmHeads),
      [`${a}.ssm.group_count`]: u32(1),
      ...(dense ? {} : expertKeys(a, 4, 2, 16, 16)),
    },
    tensors: (w) => [
      ...head(w, 32),
      w.norm("output_norm.weight", 32),
      ...[0, 1, 2].map((i) => w.norm(`blk.${i}.attn_norm.weight`, 32)),
      w.tensor("blk.0.ssm_in.weight", [32, 2 * inner + 2 * state + ssmHeads]),
      w.tensor("blk.0.ssm_conv1d.weight", [4, inner + 2 * state]),
      w.tensor("blk.0.ssm_conv1d.bias", [inner + 2 * state]),
      w.tensor("blk.0.ssm_dt.bias", [ssmHeads]),
      w.tensor("blk.0.ssm_a", [1, ssmHeads]),
      w.tensor("blk.0.ssm_d", [1, ssmHeads]),
      w.norm("blk.0.ssm_norm.weight", inner),
      w.tensor("blk.0.ssm_out.weight", [inner, 32]),
      ...attention(w, "blk.1.", 32, 32, 16).slice(1),
      ...(dense ? [w.tensor("blk.2.ffn_up.weight", [32, 32]), w.tensor("blk.2.ffn_down.weight", [32, 32])] : latentMoe(w)),
      ...extra(w),
    ],
  };
}

/** Nemotron-H's latent mixture of experts at layer 2, in Ollama's names (`ffn_latent_in/out`). */
function latentMoe(w: Weights): GgufWriteTensor[] {
  const latent = 16;
  return [
    w.tensor("blk.2.ffn_gate_inp.weight", [32, 4]),
    w.tensor("blk.2.exp_probs_b.bias", [4]),
    w.tensor("blk.2.ffn_latent_in.weight", [32, latent]),
    w.tensor("blk.2.ffn_latent_out.weight", [latent, 32]),
    w.tensor("blk.2.ffn_up_exps.weight", [latent, 16, 4]),
    w.tensor("blk.2.ffn_down_exps.weight", [16, latent, 4]),
    w.tensor("blk.2.ffn_up_shexp.weight", [32, 16]),
    w.tensor("blk.2.ffn_down_shexp.weight", [16, 32]),
  ];
}
