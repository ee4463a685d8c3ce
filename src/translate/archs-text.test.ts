// Translations that change only metadata and tensor names, and the text sides of the rest of Ollama's
// table: each small file in the published layout is translated and its keys, names and data operations
// checked exactly against what llama.cpp reads. Complete files of each loading and generating: archs-load.test.ts.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readGguf, writeGguf } from "../gguf/index.js";
import { tempDir } from "../testing/fixtures.js";
import { Translator } from "./index.js";
import { bytesOf, meta, names } from "./testing.js";

const { u32, f32, str } = meta;

describe("metadata-only translations (Ollama's key and tensor fixes)", () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir("herd-translate-meta-")));
  after(() => cleanup());

  async function translated(name: string, metadata: Record<string, unknown>, tensors: { name: string; dims: number[] }[]) {
    const src = join(dir, `${name}.gguf`);
    await writeGguf(src, {
      metadata: metadata as Parameters<typeof writeGguf>[1]["metadata"],
      tensors: tensors.map((t) => ({ ...t, type: "F32" })),
    });
    const load = await new Translator({ dir: join(dir, "derived") }).prepare({ modelPath: src, numCtx: 64 });
    assert.notEqual(load.modelPath, src, `${name} is translated`);
    return readGguf(load.modelPath);
  }

  it("lfm2: the pre-output norm renamed, the FFN width taken from the tensor", async () => {
    const g = await translated("lfm2", { "general.architecture": str("lfm2"), "lfm2.feed_forward_length": u32(999) }, [
      { name: "output_norm.weight", dims: [8] },
      { name: "blk.0.ffn_gate.weight", dims: [8, 24] },
    ]);
    assert.ok(names(g).has("token_embd_norm.weight"));
    assert.equal(g.metadata["lfm2.feed_forward_length"], 24);
    assert.equal(g.metadata["tokenizer.ggml.pre"], "lfm2");
  });

  it("olmo3 → olmo2, laguna's SWA keys and gate tensors, qwen3next's ssm_dt and KV-head array", async () => {
    const o = await translated("olmo3", { "general.architecture": str("olmo3"), "olmo3.block_count": u32(2) }, [{ name: "x.weight", dims: [4] }]);
    assert.equal(o.metadata["general.architecture"], "olmo2");
    assert.equal(o.metadata["olmo2.block_count"], 2);
    assert.equal(o.metadata["olmo3.block_count"], undefined);
    const l = await translated("laguna", { "general.architecture": str("laguna"), "laguna.rope.swa.freq_base": f32(10000) }, [
      { name: "blk.0.attn_g.weight", dims: [4] },
    ]);
    assert.equal(l.metadata["laguna.rope.freq_base_swa"], 10000);
    assert.ok(names(l).has("blk.0.attn_gate.weight"));
    const q = await translated(
      "qwen3next",
      { "general.architecture": str("qwen3next"), "qwen3next.attention.head_count_kv": { type: "array<uint32>", value: [0, 2, 0, 4] } },
      [{ name: "blk.0.ssm_dt", dims: [4] }],
    );
    assert.equal(q.metadata["qwen3next.attention.head_count_kv"], 4);
    assert.ok(names(q).has("blk.0.ssm_dt.bias"));
  });

  it("glm4moelite → deepseek2 with MLA-absorbed dims; nemotron_h_moe latent FFN names and hidden MTP", async () => {
    const g = await translated(
      "glm4moelite",
      {
        "general.architecture": str("glm4moelite"),
        "glm4moelite.attention.kv_lora_rank": u32(512),
        "glm4moelite.rope.dimension_count": u32(64),
        "glm4moelite.attention.key_length": u32(256),
        "tokenizer.ggml.eos_token_ids": { type: "array<int32>", value: [10, 11, 12] },
      },
      [{ name: "x.weight", dims: [4] }],
    );
    assert.equal(g.metadata["general.architecture"], "deepseek2");
    assert.equal(g.metadata["deepseek2.attention.head_count_kv"], 1);
    assert.equal(g.metadata["deepseek2.attention.key_length"], 576);
    assert.equal(g.metadata["deepseek2.attention.value_length"], 512);
    assert.equal(g.metadata["deepseek2.attention.key_length_mla"], 256);
    assert.equal(g.metadata["deepseek2.expert_group_count"], 1);
    assert.equal(g.metadata["tokenizer.ggml.eot_token_id"], 11);
    assert.equal(g.metadata["tokenizer.ggml.eom_token_id"], 12);
    const n = await translated("nemotron", { "general.architecture": str("nemotron_h_moe") }, [
      { name: "blk.1.ffn_latent_in.weight", dims: [16, 8] },
      { name: "blk.1.ffn_latent_out.weight", dims: [8, 16] },
      { name: "mtp.layers.0.x.weight", dims: [4] },
    ]);
    assert.equal(n.metadata["nemotron_h_moe.moe_latent_size"], 8);
    assert.deepEqual([...names(n)].sort(), ["blk.1.ffn_latent_down.weight", "blk.1.ffn_latent_up.weight"]);
  });
});

describe("text sides of the rest of Ollama's table", () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir("herd-translate-more-")));
  after(() => cleanup());

  async function translate(name: string, metadata: Record<string, unknown>, tensors: { name: string; dims: number[]; data?: Buffer }[]) {
    const src = join(dir, `${name}.gguf`);
    await writeGguf(src, { metadata: metadata as Parameters<typeof writeGguf>[1]["metadata"], tensors: tensors.map((t) => ({ ...t, type: "F32" })) });
    const load = await new Translator({ dir: join(dir, "derived") }).prepare({ modelPath: src, numCtx: 64 });
    assert.notEqual(load.modelPath, src, `${name} is translated`);
    return { src, out: load.modelPath, g: await readGguf(load.modelPath), s: await readGguf(src) };
  }
  const filled = (n: number, base: number) => {
    const b = Buffer.alloc(n * 4);
    for (let i = 0; i < n; i++) b.writeFloatLE(base + i, i * 4);
    return b;
  };

  it("gemma4: BPE tokenizer name, audio/vision hidden, expert gate and up interleaved per expert", async () => {
    const { g, out } = await translate(
      "gemma4",
      { "general.architecture": str("gemma4"), "gemma4.block_count": u32(1), "tokenizer.ggml.model": str("llama") },
      [
        { name: "blk.0.ffn_gate_exps.weight", dims: [2, 3, 2], data: filled(12, 100) },
        { name: "blk.0.ffn_up_exps.weight", dims: [2, 3, 2], data: filled(12, 200) },
        { name: "blk.0.ffn_gate_inp.per_expert_scale", dims: [2] },
        { name: "a.blk.0.x.weight", dims: [2] },
        { name: "v.blk.0.x.weight", dims: [2] },
      ],
    );
    assert.equal(g.metadata["tokenizer.ggml.model"], "gemma4");
    assert.deepEqual([...names(g)].sort(), ["blk.0.ffn_down_exps.scale", "blk.0.ffn_gate_up_exps.weight"]);
    const fused = bytesOf(g, out, "blk.0.ffn_gate_up_exps.weight");
    const vals = Array.from({ length: 24 }, (_, i) => fused.readFloatLE(i * 4));
    assert.deepEqual(vals, [100, 101, 102, 103, 104, 105, 200, 201, 202, 203, 204, 205, 106, 107, 108, 109, 110, 111, 206, 207, 208, 209, 210, 211]);
    assert.deepEqual(g.tensors.find((t) => t.name === "blk.0.ffn_gate_up_exps.weight")!.dims, [2, 6, 2]);
  });

  it("qwen35: KV-head array collapsed, 4 rope sections, ssm_dt.bias, vision and MTP hidden", async () => {
    const { g } = await translate(
      "qwen35",
      {
        "general.architecture": str("qwen35"),
        "qwen35.attention.head_count_kv": { type: "array<uint32>", value: [0, 0, 0, 2] },
        "qwen35.rope.dimension_sections": { type: "array<int32>", value: [11, 11, 10] },
        "qwen35.vision.block_count": u32(1),
      },
      [{ name: "blk.0.ssm_dt", dims: [4] }, { name: "mtp.fc.weight", dims: [4] }, { name: "v.blk.0.x.weight", dims: [4] }],
    );
    assert.equal(g.metadata["qwen35.attention.head_count_kv"], 2);
    assert.deepEqual(g.metadata["qwen35.rope.dimension_sections"], [11, 11, 10, 0]);
    assert.deepEqual([...names(g)], ["blk.0.ssm_dt.bias"]);
  });

  it("deepseekocr → deepseek2-ocr with expert sizes from the shapes; SAM/vision hidden", async () => {
    const { g } = await translate("deepseekocr", { "general.architecture": str("deepseekocr"), "deepseekocr.block_count": u32(2) }, [
      { name: "blk.1.ffn_down_exps.weight", dims: [8, 4, 2] },
      { name: "blk.1.ffn_down_shexp.weight", dims: [16, 4] },
      { name: "s.blk.0.x.weight", dims: [4] },
    ]);
    assert.equal(g.metadata["general.architecture"], "deepseek2-ocr");
    assert.equal(g.metadata["deepseek2-ocr.block_count"], 2);
    assert.equal(g.metadata["deepseek2-ocr.expert_feed_forward_length"], 8);
    assert.equal(g.metadata["deepseek2-ocr.expert_shared_count"], 2);
    assert.ok(!names(g).has("s.blk.0.x.weight"));
  });

  it("glmocr → glm4: gate and up concatenated into one ffn_up, renames, M-RoPE sections", async () => {
    const { g, out } = await translate(
      "glmocr",
      {
        "general.architecture": str("glmocr"),
        "glmocr.attention.key_length": u32(16),
        "glmocr.rope.mrope_section": { type: "array<int32>", value: [2, 3, 3] },
        "tokenizer.ggml.pre": str("llama-bpe"),
      },
      [
        { name: "blk.0.ffn_gate.weight", dims: [2, 3], data: filled(6, 1) },
        { name: "blk.0.ffn_up.weight", dims: [2, 3], data: filled(6, 50) },
        { name: "blk.0.attn_out.weight", dims: [4] },
        { name: "blk.0.post_attn_norm.weight", dims: [4] },
      ],
    );
    assert.equal(g.metadata["general.architecture"], "glm4");
    assert.deepEqual(g.metadata["glm4.rope.dimension_sections"], [2, 3, 3, 0]);
    assert.equal(g.metadata["glm4.rope.dimension_count"], 16);
    assert.equal(g.metadata["tokenizer.ggml.pre"], "chatglm-bpe");
    assert.deepEqual([...names(g)].sort(), ["blk.0.attn_output.weight", "blk.0.ffn_up.weight", "blk.0.post_attention_norm.weight"]);
    const up = bytesOf(g, out, "blk.0.ffn_up.weight");
    assert.deepEqual(Array.from({ length: 12 }, (_, i) => up.readFloatLE(i * 4)), [1, 2, 3, 4, 5, 6, 50, 51, 52, 53, 54, 55]);
  });

  it("nemotron_h_omni → nemotron_h_moe text, audio/vision hidden", async () => {
    const { g } = await translate(
      "nemotron-omni",
      { "general.architecture": str("nemotron_h_omni"), "nemotron_h_omni.expert_count": u32(4), "nemotron_h_omni.vision.block_count": u32(2) },
      [{ name: "blk.0.x.weight", dims: [4] }, { name: "a.blk.0.x.weight", dims: [4] }, { name: "v.blk.0.x.weight", dims: [4] }],
    );
    assert.equal(g.metadata["general.architecture"], "nemotron_h_moe");
    assert.equal(g.metadata["nemotron_h_moe.expert_count"], 4);
    assert.equal(g.metadata["nemotron_h_moe.vision.block_count"], undefined);
    assert.deepEqual([...names(g)], ["blk.0.x.weight"]);
  });
});
