// The text sides of the rest of Ollama's table, loaded: each synthetic file in the published layout is
// complete (every tensor and key llama.cpp's loader reads for the target architecture, src/models/<arch>.cpp
// load_arch_hparams/load_arch_tensors, at tiny sizes), is translated, and llama.cpp loads the result
// through herd's engine runner and generates. The published layouts are the inverse of Ollama's fixes
// (ollama/ollama llama/compat/llama-ollama-compat.cpp): what each handler renames, the file carries under
// the old name. Exact values of the data operations are checked in archs-text.test.ts.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { GgufTypedValue, GgufWriteTensor } from "../gguf/index.js";
import { readGguf } from "../gguf/index.js";
import { createEngineRunner } from "../runner/index.js";
import { tempDir } from "../testing/fixtures.js";
import { Translator } from "./index.js";
import {
  attention,
  decoderKeys,
  experts,
  ffn,
  generates,
  head,
  meta,
  names,
  SPM_VOCAB,
  spmVocab,
  type SyntheticModel,
  type Weights,
  writeSynthetic,
} from "./testing.js";

const { u32, f32, str } = meta;

describe("published text models load in llama.cpp after translation", () => {
  let dir: string;
  let cleanup: () => void;
  let translator: Translator;
  before(() => {
    ({ dir, cleanup } = tempDir("herd-translate-load-"));
    translator = new Translator({ dir: join(dir, "derived") });
  });
  after(() => cleanup());

  /** Writes the published file, translates it, checks the target architecture, loads it and generates. */
  async function loadsAs(name: string, m: SyntheticModel, target: string): Promise<string> {
    const src = join(dir, `${name}.gguf`);
    await writeSynthetic(src, m);
    const load = await translator.prepare({ modelPath: src, numCtx: 64 });
    assert.notEqual(load.modelPath, src, `${name} is translated`);
    assert.equal((await readGguf(load.modelPath)).metadata["general.architecture"], target);
    assert.ok((await generates(load.modelPath)) >= 1, `${name} generates`);
    return load.modelPath;
  }

  it("olmo3 loads as olmo2", async () => {
    const s = { embd: 32, layers: 2, ff: 64, heads: 2, kvHeads: 2, headDim: 16 };
    await loadsAs(
      "olmo3",
      {
        arch: "olmo3",
        keys: decoderKeys("olmo3", s),
        tensors: (w) => [
          ...head(w, 32),
          w.norm("output_norm.weight", 32),
          ...Array.from({ length: 2 }, (_, i) => {
            const b = `blk.${i}.`;
            return [
              ...attention(w, b, 32, 32, 32).slice(1),
              w.norm(`${b}attn_q_norm.weight`, 32),
              w.norm(`${b}attn_k_norm.weight`, 32),
              w.norm(`${b}post_attention_norm.weight`, 32),
              ...ffn(w, b, 32, 64),
              w.norm(`${b}post_ffw_norm.weight`, 32),
            ];
          }).flat(),
        ],
      },
      "olmo2",
    );
  });

  it("lfm2: the published pre-output norm and FFN width; a short-convolution layer and an attention layer", async () => {
    const s = { embd: 32, layers: 2, ff: 64, heads: 2, kvHeads: [0, 2], headDim: 16 };
    const out = await loadsAs(
      "lfm2",
      {
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
      },
      "lfm2",
    );
    assert.ok(names(await readGguf(out)).has("token_embd_norm.weight"));
  });

  it("glmocr loads as glm4: gate and up fused into one ffn_up, Ollama's norm and output names", async () => {
    const s = { embd: 32, layers: 2, ff: 64, heads: 2, kvHeads: 1, headDim: 16 };
    await loadsAs(
      "glmocr",
      {
        arch: "glmocr",
        keys: { ...decoderKeys("glmocr", s), "glmocr.rope.mrope_section": { type: "array<int32>", value: [2, 3, 3] } },
        tensors: (w) => [
          ...head(w, 32),
          w.norm("output_norm.weight", 32),
          ...[0, 1].flatMap((i) => {
            const b = `blk.${i}.`;
            return [
              ...attention(w, b, 32, 32, 16, "attn_out"),
              w.norm(`${b}post_attn_norm.weight`, 32),
              w.norm(`${b}ffn_norm.weight`, 32),
              ...ffn(w, b, 32, 64),
              w.norm(`${b}post_ffn_norm.weight`, 32),
            ];
          }),
        ],
      },
      "glm4",
    );
  });

  it("laguna: Ollama's SWA key names and attn_g gates; a dense and a mixture-of-experts layer", async () => {
    const s = { embd: 32, layers: 2, ff: 64, heads: 2, kvHeads: 1, headDim: 16 };
    await loadsAs(
      "laguna",
      {
        arch: "laguna",
        keys: {
          ...decoderKeys("laguna", s),
          "laguna.leading_dense_block_count": u32(1),
          "laguna.expert_count": u32(4),
          "laguna.expert_used_count": u32(2),
          "laguna.expert_feed_forward_length": u32(16),
          "laguna.attention.sliding_window": u32(16),
          "laguna.rope.swa.freq_base": f32(10000),
          "laguna.rope.swa.dimension_count": u32(16),
        },
        tensors: (w) => [
          ...head(w, 32),
          w.norm("output_norm.weight", 32),
          ...[0, 1].flatMap((i) => {
            const b = `blk.${i}.`;
            return [
              ...attention(w, b, 32, 32, 16),
              w.norm(`${b}attn_q_norm.weight`, 16),
              w.norm(`${b}attn_k_norm.weight`, 16),
              w.tensor(`${b}attn_g.weight`, [32, 2]),
              w.norm(`${b}ffn_norm.weight`, 32),
              ...(i === 0 ? ffn(w, b, 32, 64) : [...experts(w, b, 32, 16, 4, 16), w.tensor(`${b}exp_probs_b.bias`, [4])]),
            ];
          }),
        ],
      },
      "laguna",
    );
  });

  it("glm4moelite loads as deepseek2 with multi-head latent attention", async () => {
    // Per-head dims as Ollama's converter wrote them (key_length = the MLA head); the handler derives
    // the absorbed key/value lengths from the latent rank and the rope dims.
    const rank = 16;
    const rope = 8;
    const mla = 24;
    const heads = 2;
    await loadsAs(
      "glm4moelite",
      {
        arch: "glm4moelite",
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
        tensors: (w) => [
          ...head(w, 32),
          w.norm("output_norm.weight", 32),
          ...[0, 1].flatMap((i) => {
            const b = `blk.${i}.`;
            return [
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
            ];
          }),
        ],
      },
      "deepseek2",
    );
  });

  it("deepseekocr loads as deepseek2-ocr: ε and expert sizes derived, the SAM and vision towers hidden", async () => {
    const s = { embd: 32, layers: 2, ff: 64, heads: 2, kvHeads: 2, headDim: 16 };
    const keys = decoderKeys("deepseekocr", s);
    delete keys["deepseekocr.attention.layer_norm_rms_epsilon"];
    await loadsAs(
      "deepseekocr",
      {
        arch: "deepseekocr",
        keys: { ...keys, "deepseekocr.leading_dense_block_count": u32(1), "deepseekocr.expert_count": u32(4), "deepseekocr.expert_used_count": u32(2) },
        tensors: (w) => [
          ...head(w, 32),
          w.norm("output_norm.weight", 32),
          ...[0, 1].flatMap((i) => {
            const b = `blk.${i}.`;
            return [...attention(w, b, 32, 32, 32), w.norm(`${b}ffn_norm.weight`, 32), ...(i === 0 ? ffn(w, b, 32, 64) : experts(w, b, 32, 16, 4, 32))];
          }),
          w.tensor("s.blk.0.attn.qkv.weight", [8, 24]),
          w.tensor("v.blk.0.attn_qkv.weight", [8, 24]),
          w.tensor("mm.layers.weight", [8, 32]),
        ],
      },
      "deepseek2-ocr",
    );
  });

  /** Gated delta-net dims: 2 key heads and 2 value heads of 16 (inner 32), conv kernel 4. */
  const delta = { state: 16, groups: 2, vHeads: 2, conv: 4 };
  function deltaKeys(a: string): Record<string, ReturnType<typeof u32>> {
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
  function deltaLayer(w: Weights, b: string, embd: number, fused: boolean): GgufWriteTensor[] {
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
  const gatedAttention = (w: Weights, b: string, embd: number, heads: number, kv: number, hd: number): GgufWriteTensor[] => [
    w.tensor(`${b}attn_q.weight`, [embd, 2 * heads * hd]),
    w.tensor(`${b}attn_k.weight`, [embd, kv * hd]),
    w.tensor(`${b}attn_v.weight`, [embd, kv * hd]),
    w.tensor(`${b}attn_output.weight`, [heads * hd, embd]),
    w.norm(`${b}attn_q_norm.weight`, hd),
    w.norm(`${b}attn_k_norm.weight`, hd),
  ];
  const sharedExpert = (w: Weights, b: string, embd: number, ff: number): GgufWriteTensor[] => [
    w.tensor(`${b}ffn_gate_inp_shexp.weight`, [embd]),
    w.tensor(`${b}ffn_gate_shexp.weight`, [embd, ff]),
    w.tensor(`${b}ffn_up_shexp.weight`, [embd, ff]),
    w.tensor(`${b}ffn_down_shexp.weight`, [ff, embd]),
  ];

  it("qwen3next: the KV-head array collapsed, ssm_dt renamed; a gated delta-net layer and a gated attention layer", async () => {
    const s = { embd: 32, layers: 2, ff: 32, heads: 2, kvHeads: [0, 1], headDim: 16 };
    await loadsAs(
      "qwen3next",
      {
        arch: "qwen3next",
        keys: {
          ...decoderKeys("qwen3next", s),
          ...deltaKeys("qwen3next"),
          "qwen3next.expert_count": u32(4),
          "qwen3next.expert_used_count": u32(2),
          "qwen3next.expert_feed_forward_length": u32(16),
          "qwen3next.expert_shared_feed_forward_length": u32(16),
        },
        tensors: (w) => [
          ...head(w, 32),
          w.norm("output_norm.weight", 32),
          ...[0, 1].flatMap((i) => {
            const b = `blk.${i}.`;
            return [
              w.norm(`${b}attn_norm.weight`, 32),
              w.norm(`${b}post_attention_norm.weight`, 32),
              ...(i === 0 ? deltaLayer(w, b, 32, true) : gatedAttention(w, b, 32, 2, 1, 16)),
              ...experts(w, b, 32, 16, 4),
              ...sharedExpert(w, b, 32, 16),
            ];
          }),
        ],
      },
      "qwen3next",
    );
  });

  for (const arch of ["qwen35", "qwen35moe"] as const) {
    it(`${arch}: KV-head array, 3→4 rope sections, ssm_dt; the vision tower and the MTP layer hidden`, async () => {
      const moe = arch === "qwen35moe";
      const s = { embd: 32, layers: 2, ff: 32, heads: 2, kvHeads: [0, 1], headDim: 16 };
      await loadsAs(
        arch,
        {
          arch,
          keys: {
            ...decoderKeys(arch, s),
            ...deltaKeys(arch),
            [`${arch}.rope.dimension_sections`]: { type: "array<int32>", value: [2, 3, 3] },
            [`${arch}.vision.block_count`]: u32(1),
            ...(moe
              ? {
                  [`${arch}.expert_count`]: u32(4),
                  [`${arch}.expert_used_count`]: u32(2),
                  [`${arch}.expert_feed_forward_length`]: u32(16),
                  [`${arch}.expert_shared_feed_forward_length`]: u32(16),
                }
              : {}),
          },
          tensors: (w) => [
            ...head(w, 32),
            w.norm("output_norm.weight", 32),
            ...[0, 1].flatMap((i) => {
              const b = `blk.${i}.`;
              return [
                w.norm(`${b}attn_norm.weight`, 32),
                w.norm(`${b}post_attention_norm.weight`, 32),
                ...(i === 0 ? deltaLayer(w, b, 32, false) : gatedAttention(w, b, 32, 2, 1, 16)),
                ...(moe ? [...experts(w, b, 32, 16, 4), ...sharedExpert(w, b, 32, 16)] : ffn(w, b, 32, 32)),
              ];
            }),
            w.tensor("mtp.fc.weight", [64, 32]),
            w.tensor("v.blk.0.attn_qkv.weight", [16, 48]),
          ],
        },
        arch,
      );
    });
  }

  /**
   * A Nemotron-H hybrid as Ollama published it: a Mamba-2 layer, an attention layer and a latent
   * mixture-of-experts layer (per-layer KV heads and FFN widths say which), `ffn_latent_in/out`.
   */
  function nemotron(arch: string, extra: (w: Weights) => GgufWriteTensor[], dense = false): SyntheticModel {
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
        ...(dense
          ? {}
          : {
              [`${a}.expert_count`]: u32(4),
              [`${a}.expert_used_count`]: u32(2),
              [`${a}.expert_feed_forward_length`]: u32(16),
              [`${a}.expert_shared_feed_forward_length`]: u32(16),
            }),
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

  it("nemotron_h_moe: the latent FFN under llama.cpp's names, its size from the tensor; MTP hidden", async () => {
    const out = await loadsAs("nemotron_h_moe", nemotron("nemotron_h_moe", (w) => [w.tensor("mtp.layers.0.eh_proj.weight", [64, 32])]), "nemotron_h_moe");
    assert.equal((await readGguf(out)).metadata["nemotron_h_moe.moe_latent_size"], 16);
  });

  it("nemotron_h_omni loads as nemotron_h_moe (with experts) or nemotron_h (without), its vision and audio towers hidden", async () => {
    const towers = (w: Weights) => [w.tensor("v.blk.0.attn_qkv.weight", [16, 48]), w.tensor("a.blk.0.attn_qkv.weight", [16, 48])];
    await loadsAs("nemotron_h_omni", nemotron("nemotron_h_omni", towers), "nemotron_h_moe");
    await loadsAs("nemotron_h_omni_dense", nemotron("nemotron_h_omni", towers, true), "nemotron_h");
  });

  it("gemma4: the SentencePiece tokenizer name fixed, expert gate and up fused, the per-expert scale renamed; audio and vision hidden", async () => {
    const vocab = await spmVocab();
    // Gemma 4's vocabulary is BPE with merges; Ollama's converter named its model `llama`.
    vocab["tokenizer.ggml.merges"] = { type: "array<string>", value: ["▁ t", "h e"] };
    const s = { embd: 32, layers: 2, ff: 64, heads: 2, kvHeads: 1, headDim: 16 };
    const out = await loadsAs(
      "gemma4",
      {
        arch: "gemma4",
        vocab,
        keys: {
          ...decoderKeys("gemma4", s),
          "gemma4.attention.sliding_window": u32(16),
          "gemma4.attention.sliding_window_pattern": { type: "array<bool>", value: [true, false] },
          "gemma4.attention.key_length_swa": u32(16),
          "gemma4.attention.value_length_swa": u32(16),
          "gemma4.embedding_length_per_layer_input": u32(8),
          "gemma4.expert_count": u32(4),
          "gemma4.expert_used_count": u32(2),
          "gemma4.expert_feed_forward_length": u32(16),
        },
        tensors: (w) => [
          w.tensor("token_embd.weight", [32, SPM_VOCAB]),
          w.tensor("per_layer_token_embd.weight", [8 * 2, SPM_VOCAB]),
          w.tensor("per_layer_model_proj.weight", [32, 8 * 2]),
          w.norm("per_layer_proj_norm.weight", 8),
          w.norm("output_norm.weight", 32),
          ...[0, 1].flatMap((i) => {
            const b = `blk.${i}.`;
            return [
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
            ];
          }),
          w.tensor("v.blk.0.attn_q.weight", [16, 16]),
          w.tensor("a.blk.0.attn_q.weight", [16, 16]),
        ],
      },
      "gemma4",
    );
    const g = await readGguf(out);
    assert.equal(g.metadata["tokenizer.ggml.model"], "gemma4");
    assert.ok(names(g).has("blk.1.ffn_gate_up_exps.weight"));
  });

  it("gemma3n: token_embd and the vocabulary cut to the per-layer rows (the multimodal tokens dropped), token types and EOS fixed", async () => {
    // llama.cpp fixes gemma3n's AltUp inputs (4), LAuReL rank (64) and per-layer width (256).
    const altup = 4;
    const s = { embd: 32, layers: 1, ff: 64, heads: 2, kvHeads: 1, headDim: 16 };
    const vocab = await spmVocab(["<unused0>", "<unused1>", "<image>", "<audio>"]);
    vocab["tokenizer.ggml.tokens"]!.value = (vocab["tokenizer.ggml.tokens"]!.value as string[]).map((t, i) => (i === 300 ? "<unused99>" : t));
    const out = await loadsAs(
      "gemma3n",
      {
        arch: "gemma3n",
        vocab,
        keys: { ...decoderKeys("gemma3n", s), "gemma3n.attention.sliding_window": u32(16) },
        tensors: (w) => [
          w.tensor("token_embd.weight", [32, SPM_VOCAB + 4]),
          w.tensor("per_layer_token_embd.weight", [256, SPM_VOCAB], "F16"),
          w.tensor("per_layer_model_proj.weight", [32, 256]),
          w.norm("per_layer_proj_norm.weight", 256),
          w.tensor("altup_proj.weight", [32, 32, altup - 1]),
          w.tensor("altup_unembd_proj.weight", [32, 32, altup - 1]),
          w.norm("output_norm.weight", 32),
          ...attention(w, "blk.0.", 32, 32, 16),
          w.norm("blk.0.attn_q_norm.weight", 16),
          w.norm("blk.0.attn_k_norm.weight", 16),
          w.norm("blk.0.post_attention_norm.weight", 32),
          w.norm("blk.0.ffn_norm.weight", 32),
          ...ffn(w, "blk.0.", 32, 64),
          w.norm("blk.0.post_ffw_norm.weight", 32),
          w.tensor("blk.0.inp_gate.weight", [32, 256]),
          w.tensor("blk.0.proj.weight", [256, 32]),
          w.norm("blk.0.post_norm.weight", 32),
          w.tensor("blk.0.altup_correct_coef.weight", [altup, altup]),
          w.norm("blk.0.altup_correct_scale.weight", 32),
          w.tensor("blk.0.altup_predict_coef.weight", [altup, altup * altup]),
          w.tensor("blk.0.altup_router.weight", [32, altup]),
          w.norm("blk.0.altup_router_norm.weight", 32),
          w.tensor("blk.0.laurel_l.weight", [32, 64]),
          w.tensor("blk.0.laurel_r.weight", [64, 32]),
          w.norm("blk.0.laurel_post_norm.weight", 32),
          w.tensor("v.patch.weight", [16]),
        ],
      },
      "gemma3n",
    );
    const g = await readGguf(out);
    const te = g.tensors.find((t) => t.name === "token_embd.weight")!;
    assert.deepEqual(te.dims, [32, SPM_VOCAB]);
    assert.equal(te.size, 32 * SPM_VOCAB * 4);
    assert.equal((g.metadata["tokenizer.ggml.tokens"] as string[]).length, SPM_VOCAB);
    assert.equal((g.metadata["tokenizer.ggml.token_type"] as number[])[300], 1, "<unused…> is a normal token");
    assert.equal((g.metadata["tokenizer.ggml.token_type"] as number[])[3], 6, "<0x00> is a byte token");
    assert.deepEqual(g.metadata["tokenizer.ggml.eos_token_ids"], [1, 106]);
    assert.ok(!names(g).has("v.patch.weight"));
  });

  it("Snowflake Arctic Embed 2: the base64 charsmap decoded; the XLM-R (bert + UGM tokenizer) model embeds", async () => {
    // A minimal precompiled charsmap: a 256-node XCDA trie that matches nothing (every input byte
    // passes through unnormalised) and one empty replacement string, published as base64 characters.
    const charsmap = Buffer.concat([Buffer.from([0, 4, 0, 0]), Buffer.alloc(1024), Buffer.from([0])]);
    const pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁", ..."abcdefghijklmnopqrstuvwxyz".split(""), "▁a", "▁t", "on", "ce", "▁time"];
    const vocab: Record<string, GgufTypedValue> = {
      "tokenizer.ggml.model": str("t5"),
      "tokenizer.ggml.pre": str("default"),
      "tokenizer.ggml.tokens": { type: "array<string>", value: pieces },
      "tokenizer.ggml.scores": { type: "array<float32>", value: pieces.map((_, i) => -i / 10) },
      "tokenizer.ggml.token_type": { type: "array<int32>", value: pieces.map((_, i) => (i === 3 ? 2 : i < 3 ? 3 : 1)) },
      "tokenizer.ggml.bos_token_id": u32(0),
      "tokenizer.ggml.padding_token_id": u32(1),
      "tokenizer.ggml.eos_token_id": u32(2),
      "tokenizer.ggml.unknown_token_id": u32(3),
      "tokenizer.ggml.cls_token_id": u32(0),
      "tokenizer.ggml.seperator_token_id": u32(2),
      "tokenizer.ggml.token_type_count": u32(1),
      "tokenizer.ggml.precompiled_charsmap": { type: "array<string>", value: [...charsmap.toString("base64")] },
    };
    const src = join(dir, "snowflake.gguf");
    const n = pieces.length;
    await writeSynthetic(src, {
      arch: "bert",
      vocab,
      keys: {
        "bert.context_length": u32(64),
        "bert.embedding_length": u32(32),
        "bert.block_count": u32(1),
        "bert.feed_forward_length": u32(64),
        "bert.attention.head_count": u32(2),
        "bert.attention.layer_norm_epsilon": f32(1e-5),
        "bert.attention.causal": { type: "bool", value: false },
        "bert.pooling_type": u32(2),
      },
      tensors: (w) => {
        const wb = (name: string, dims: number[]) => [w.tensor(`${name}.weight`, dims), w.tensor(`${name}.bias`, [dims[1] ?? dims[0]!])];
        const ln = (name: string) => [w.norm(`${name}.weight`, 32), w.tensor(`${name}.bias`, [32])];
        return [
          w.tensor("token_embd.weight", [32, n]),
          w.tensor("token_types.weight", [32, 1]),
          w.tensor("position_embd.weight", [32, 64]),
          ...ln("token_embd_norm"),
          ...wb("blk.0.attn_q", [32, 32]),
          ...wb("blk.0.attn_k", [32, 32]),
          ...wb("blk.0.attn_v", [32, 32]),
          ...wb("blk.0.attn_output", [32, 32]),
          ...ln("blk.0.attn_output_norm"),
          ...wb("blk.0.ffn_up", [32, 64]),
          ...wb("blk.0.ffn_down", [64, 32]),
          ...ln("blk.0.layer_output_norm"),
        ];
      },
    });
    // llama.cpp refuses the published charsmap (an array of strings where it reads bytes).
    await assert.rejects(createEngineRunner({ modelPath: src, numCtx: 64, numGpu: 0, embedding: true }), /precompiled_charsmap/);
    const load = await translator.prepare({ modelPath: src, numCtx: 64, embedding: true });
    assert.notEqual(load.modelPath, src);
    const g = await readGguf(load.modelPath);
    assert.equal(g.types["tokenizer.ggml.precompiled_charsmap"], "array<uint8>");
    assert.deepEqual(g.metadata["tokenizer.ggml.precompiled_charsmap"], [...charsmap]);
    const runner = await createEngineRunner({ modelPath: load.modelPath, numCtx: 64, numGpu: 0, embedding: true });
    try {
      const { embeddings } = await runner.embed(["once upon a time"]);
      assert.equal(embeddings[0]!.length, 32);
      assert.ok(embeddings[0]!.every(Number.isFinite) && embeddings[0]!.some((x) => x !== 0));
    } finally {
      await runner.close();
    }
  });
});
