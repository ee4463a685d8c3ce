// The text sides of the rest of Ollama's table, loaded: each synthetic file in the published layout is
// complete (every tensor and key llama.cpp's loader reads for the target architecture, src/models/<arch>.cpp
// load_arch_hparams/load_arch_tensors, at tiny sizes), is translated, and llama.cpp loads the result
// through herd's engine runner and generates. The published layouts are the inverse of Ollama's fixes
// (ollama/ollama llama/compat/llama-ollama-compat.cpp): what each handler renames, the file carries under
// the old name. Exact values of the data operations are checked in archs-text.test.ts.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { GgufWriteTensor } from "../gguf/index.js";
import { readGguf } from "../gguf/index.js";
import { tempDir } from "../testing/fixtures.js";
import { Translator } from "./index.js";
import { decoderKeys, generates, meta, names, SPM_VOCAB, type SyntheticModel, type Weights, writeSynthetic } from "./testing.js";

const { u32, f32, str } = meta;

/** The per-layer attention every decoder here shares: norm, Q/K/V, output. */
function attention(w: Weights, b: string, embd: number, q: number, kv: number, out = "attn_output"): GgufWriteTensor[] {
  return [
    w.norm(`${b}attn_norm.weight`, embd),
    w.tensor(`${b}attn_q.weight`, [embd, q]),
    w.tensor(`${b}attn_k.weight`, [embd, kv]),
    w.tensor(`${b}attn_v.weight`, [embd, kv]),
    w.tensor(`${b}${out}.weight`, [q, embd]),
  ];
}

/** A gated FFN (gate, up, down). */
function ffn(w: Weights, b: string, embd: number, ff: number): GgufWriteTensor[] {
  return [w.tensor(`${b}ffn_gate.weight`, [embd, ff]), w.tensor(`${b}ffn_up.weight`, [embd, ff]), w.tensor(`${b}ffn_down.weight`, [ff, embd])];
}

/** Routed experts (router, gate/up/down) and, with `shared`, a shared expert of width shared. */
function experts(w: Weights, b: string, embd: number, ff: number, n: number, shared = 0): GgufWriteTensor[] {
  const out = [
    w.tensor(`${b}ffn_gate_inp.weight`, [embd, n]),
    w.tensor(`${b}ffn_gate_exps.weight`, [embd, ff, n]),
    w.tensor(`${b}ffn_up_exps.weight`, [embd, ff, n]),
    w.tensor(`${b}ffn_down_exps.weight`, [ff, embd, n]),
  ];
  if (shared) out.push(...ffn(w, b, embd, shared).map((t) => ({ ...t, name: t.name.replace(/ffn_(gate|up|down)\./, "ffn_$1_shexp.") })));
  return out;
}

const head = (w: Weights, embd: number, output = true): GgufWriteTensor[] => [
  w.tensor("token_embd.weight", [embd, SPM_VOCAB]),
  ...(output ? [w.tensor("output.weight", [embd, SPM_VOCAB])] : []),
];

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
});
