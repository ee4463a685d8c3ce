// The text sides of the rest of Ollama's table, loaded: each synthetic file in the published layout is
// complete (every tensor and key llama.cpp's loader reads for the target architecture, src/models/<arch>.cpp
// load_arch_hparams/load_arch_tensors, at tiny sizes), is translated, and llama.cpp loads the result
// through herd's engine runner and generates. The published layouts are the inverse of Ollama's fixes
// (ollama/ollama llama/compat/llama-ollama-compat.cpp): what each handler renames, the file carries under
// the old name; they are rows of data in testing/published-text.ts. Exact values of the data operations
// are checked in archs-text.test.ts.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { GgufFile, GgufTypedValue } from "../gguf/index.js";
import { readGguf } from "../gguf/index.js";
import { createEngineRunner } from "../runner/index.js";
import { tempDir } from "../testing/fixtures.js";
import { Translator } from "./index.js";
import {
  deepseekocr,
  gemma3n,
  gemma4,
  generates,
  glm4moelite,
  glmocr,
  laguna,
  lfm2,
  meta,
  names,
  nemotron,
  olmo3,
  qwenHybrid,
  SPM_VOCAB,
  type SyntheticModel,
  type Weights,
  writeSynthetic,
} from "./testing.js";

const { u32, f32, str } = meta;

interface Case {
  title: string;
  /** The file's name. */
  name: string;
  model: () => SyntheticModel | Promise<SyntheticModel>;
  /** The architecture llama.cpp loads it as. */
  target: string;
  /** What the translation must also have done. */
  check?: (g: GgufFile) => void;
}

const CASES: Case[] = [
  { title: "olmo3 loads as olmo2", name: "olmo3", model: olmo3, target: "olmo2" },
  {
    title: "lfm2: the published pre-output norm and FFN width; a short-convolution layer and an attention layer",
    name: "lfm2",
    model: lfm2,
    target: "lfm2",
    check: (g) => assert.ok(names(g).has("token_embd_norm.weight")),
  },
  { title: "glmocr loads as glm4: gate and up fused into one ffn_up, Ollama's norm and output names", name: "glmocr", model: glmocr, target: "glm4" },
  { title: "laguna: Ollama's SWA key names and attn_g gates; a dense and a mixture-of-experts layer", name: "laguna", model: laguna, target: "laguna" },
  { title: "glm4moelite loads as deepseek2 with multi-head latent attention", name: "glm4moelite", model: glm4moelite, target: "deepseek2" },
  {
    title: "deepseekocr loads as deepseek2-ocr: ε and expert sizes derived, the SAM and vision towers hidden",
    name: "deepseekocr",
    model: deepseekocr,
    target: "deepseek2-ocr",
  },
  {
    title: "qwen3next: the KV-head array collapsed, ssm_dt renamed; a gated delta-net layer and a gated attention layer",
    name: "qwen3next",
    model: () => qwenHybrid("qwen3next"),
    target: "qwen3next",
  },
  ...(["qwen35", "qwen35moe"] as const).map((arch) => ({
    title: `${arch}: KV-head array, 3→4 rope sections, ssm_dt; the vision tower and the MTP layer hidden`,
    name: arch,
    model: () => qwenHybrid(arch),
    target: arch,
  })),
  {
    title: "nemotron_h_moe: the latent FFN under llama.cpp's names, its size from the tensor; MTP hidden",
    name: "nemotron_h_moe",
    model: () => nemotron("nemotron_h_moe", (w) => [w.tensor("mtp.layers.0.eh_proj.weight", [64, 32])]),
    target: "nemotron_h_moe",
    check: (g) => assert.equal(g.metadata["nemotron_h_moe.moe_latent_size"], 16),
  },
  {
    title: "gemma4: the SentencePiece tokenizer name fixed, expert gate and up fused, the per-expert scale renamed; audio and vision hidden",
    name: "gemma4",
    model: gemma4,
    target: "gemma4",
    check: (g) => {
      assert.equal(g.metadata["tokenizer.ggml.model"], "gemma4");
      assert.ok(names(g).has("blk.1.ffn_gate_up_exps.weight"));
    },
  },
  {
    title: "gemma3n: token_embd and the vocabulary cut to the per-layer rows (the multimodal tokens dropped), token types and EOS fixed",
    name: "gemma3n",
    model: gemma3n,
    target: "gemma3n",
    check: (g) => {
      const te = g.tensors.find((t) => t.name === "token_embd.weight")!;
      assert.deepEqual(te.dims, [32, SPM_VOCAB]);
      assert.equal(te.size, 32 * SPM_VOCAB * 4);
      assert.equal((g.metadata["tokenizer.ggml.tokens"] as string[]).length, SPM_VOCAB);
      assert.equal((g.metadata["tokenizer.ggml.token_type"] as number[])[300], 1, "<unused…> is a normal token");
      assert.equal((g.metadata["tokenizer.ggml.token_type"] as number[])[3], 6, "<0x00> is a byte token");
      assert.deepEqual(g.metadata["tokenizer.ggml.eos_token_ids"], [1, 106]);
      assert.ok(!names(g).has("v.patch.weight"));
    },
  },
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

  for (const c of CASES) {
    it(c.title, async () => {
      const out = await loadsAs(c.name, await c.model(), c.target);
      c.check?.(await readGguf(out));
    });
  }

  it("nemotron_h_omni loads as nemotron_h_moe (with experts) or nemotron_h (without), its vision and audio towers hidden", async () => {
    const towers = (w: Weights) => [w.tensor("v.blk.0.attn_qkv.weight", [16, 48]), w.tensor("a.blk.0.attn_qkv.weight", [16, 48])];
    await loadsAs("nemotron_h_omni", nemotron("nemotron_h_omni", towers), "nemotron_h_moe");
    await loadsAs("nemotron_h_omni_dense", nemotron("nemotron_h_omni", towers, true), "nemotron_h");
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
