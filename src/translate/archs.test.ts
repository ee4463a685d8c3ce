// The translations after gemma3 and gpt-oss (metadata-only and text-side ones: archs-text.test.ts): each synthetic file in Ollama's published layout is
// translated; text models are loaded by llama.cpp through the runner; projectors are checked against
// the tensor names and keys llama.cpp's mtmd/clip reads (tools/mtmd/clip-impl.h).

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type GgufFile, readGguf, typedMetadata, writeGguf } from "../gguf/index.js";
import { collect } from "../runner/testing/contract.js";
import { createEngineRunner } from "../runner/index.js";
import { fixture, model, tempDir } from "../testing/fixtures.js";
import { readFileSync } from "node:fs";
import { f16ToF32 } from "./ops.js";
import { Translator } from "./index.js";
import { bytesOf, meta, names, spmVocab, type Weights, writeLlamaLike, writePublishedGemma3 } from "./testing.js";

const { u32, f32, str } = meta;

async function generates(modelPath: string): Promise<void> {
  const runner = await createEngineRunner({ modelPath, numCtx: 64, numGpu: 0 });
  try {
    const { done } = await collect(runner, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 3 } });
    assert.equal(done.type, "done");
    assert.ok(done.timings.promptTokens > 0);
  } finally {
    await runner.close();
  }
}


describe("translations of the other published architectures", () => {
  let dir: string;
  let cleanup: () => void;
  let translator: Translator;
  before(() => {
    ({ dir, cleanup } = tempDir("herd-translate-archs-"));
    translator = new Translator({ dir: join(dir, "derived") });
  });
  after(() => cleanup());

  it("qwen25vl → qwen2vl text (M-RoPE sections padded) + qwen2.5vl_merger projector", async () => {
    const src = join(dir, "qwen25vl.gguf");
    await writeLlamaLike(src, {
      arch: "qwen25vl",
      embd: 64,
      layers: 2,
      heads: 4,
      kvHeads: 2,
      headDim: 16,
      ff: 128,
      qkvBias: true,
      keys: {
        "qwen25vl.rope.mrope_section": { type: "array<int32>", value: [2, 3, 3] },
        "qwen25vl.vision.block_count": u32(1),
        "qwen25vl.vision.embedding_length": u32(32),
        "qwen25vl.vision.attention.head_count": u32(2),
        "qwen25vl.vision.patch_size": u32(2),
        "qwen25vl.vision.spatial_merge_size": u32(2),
        "qwen25vl.vision.fullatt_block_indexes": { type: "array<int32>", value: [0] },
      },
      tensors: (w: Weights) => [
        w.tensor("v.patch_embd_0.weight", [2, 2, 3, 32], "F16"),
        w.tensor("v.patch_embd_1.weight", [2, 2, 3, 32], "F16"),
        w.tensor("v.blk.0.attn_q.weight", [32, 32]),
        w.tensor("v.blk.0.ffn_up.weight", [32, 64]),
        w.norm("v.merger.ln_q.weight", 32),
        w.tensor("v.merger.mlp.0.weight", [128, 128]),
        w.tensor("v.merger.mlp.0.bias", [128]),
        w.tensor("v.merger.mlp.2.weight", [128, 64]),
        w.tensor("v.merger.mlp.2.bias", [64]),
      ],
    });
    const load = await translator.prepare({ modelPath: src, numCtx: 64 });
    const g = await readGguf(load.modelPath);
    assert.equal(g.metadata["general.architecture"], "qwen2vl");
    assert.deepEqual(g.metadata["qwen2vl.rope.dimension_sections"], [2, 3, 3, 0]);
    await generates(load.modelPath);

    const p = await readGguf(load.projectorPath!);
    assert.equal(p.metadata["clip.projector_type"], "qwen2.5vl_merger");
    assert.equal(p.metadata["clip.vision.n_wa_pattern"], 1);
    assert.equal(p.metadata["clip.vision.feed_forward_length"], 64);
    assert.equal(p.metadata["clip.vision.projection_dim"], 64);
    const n = names(p);
    for (const x of ["v.patch_embd.weight", "v.patch_embd.weight.1", "v.post_ln.weight", "mm.0.weight", "mm.0.bias", "mm.2.weight", "mm.2.bias"]) {
      assert.ok(n.has(x), x);
    }
    assert.equal(p.tensors.find((t) => t.name === "v.patch_embd.weight.1")!.typeName, "F32");
  });

  it("qwen3vl: M-RoPE sections and deepstack count injected; projector with merged QKV and split patch embedding", async () => {
    const src = join(dir, "qwen3vl.gguf");
    await writeLlamaLike(src, {
      arch: "qwen3vl",
      embd: 128,
      // Deepstack features join layers before the last (the last keeps only the output rows).
      layers: 2,
      heads: 1,
      kvHeads: 1,
      headDim: 128,
      ff: 128,
      qkNorm: true,
      keys: {
        "qwen3vl.vision.block_count": u32(2),
        "qwen3vl.vision.embedding_length": u32(32),
        "qwen3vl.vision.attention.head_count": u32(2),
        "qwen3vl.vision.patch_size": u32(2),
        "qwen3vl.vision.num_channels": u32(3),
        "qwen3vl.vision.deepstack_visual_indexes": { type: "array<int32>", value: [1] },
      },
      tensors: (w: Weights) => {
        const out = [
          w.tensor("v.patch_embed.weight", [2, 2, 2, 32 * 3], "F16"),
          w.tensor("v.patch_embed.bias", [32]),
          w.tensor("v.pos_embed.weight", [32, 16], "F16"),
          w.norm("v.merger.norm.weight", 32),
          w.tensor("v.merger.norm.bias", [32]),
          w.tensor("v.merger.linear_fc1.weight", [128, 128]),
          w.tensor("v.merger.linear_fc1.bias", [128]),
          w.tensor("v.merger.linear_fc2.weight", [128, 128]),
          w.tensor("v.merger.linear_fc2.bias", [128]),
          w.norm("v.deepstack_merger.0.norm.weight", 128),
          w.tensor("v.deepstack_merger.0.linear_fc1.weight", [128, 128]),
          w.tensor("v.deepstack_merger.0.linear_fc2.weight", [128, 128]),
        ];
        for (let b = 0; b < 2; b++) {
          out.push(
            w.tensor(`v.blk.${b}.attn_q.weight`, [32, 32], "F16"),
            w.tensor(`v.blk.${b}.attn_k.weight`, [32, 32], "F16"),
            w.tensor(`v.blk.${b}.attn_v.weight`, [32, 32]),
            w.tensor(`v.blk.${b}.attn_q.bias`, [32]),
            w.tensor(`v.blk.${b}.attn_k.bias`, [32]),
            w.tensor(`v.blk.${b}.attn_v.bias`, [32]),
            w.norm(`v.blk.${b}.norm1.weight`, 32),
            w.norm(`v.blk.${b}.norm2.weight`, 32),
            w.tensor(`v.blk.${b}.mlp.linear_fc1.weight`, [32, 64]),
            w.tensor(`v.blk.${b}.mlp.linear_fc2.weight`, [64, 32]),
          );
        }
        return out;
      },
    });
    const load = await translator.prepare({ modelPath: src, numCtx: 64 });
    const g = await readGguf(load.modelPath);
    assert.deepEqual(g.metadata["qwen3vl.rope.dimension_sections"], [24, 20, 20, 0]);
    assert.equal(g.metadata["qwen3vl.n_deepstack_layers"], 1);
    await generates(load.modelPath);

    const pp = load.projectorPath!;
    const p = await readGguf(pp);
    const s = await readGguf(src);
    assert.equal(p.metadata["clip.projector_type"], "qwen3vl_merger");
    assert.deepEqual(p.metadata["clip.vision.is_deepstack_layers"], [false, true]);
    assert.equal(p.metadata["clip.vision.image_size"], 8, "sqrt(16 positions) × patch 2");
    const n = names(p);
    for (const x of ["v.blk.1.attn_qkv.weight", "v.blk.1.attn_qkv.bias", "v.blk.0.ln1.weight", "v.blk.0.ffn_up.weight", "v.blk.0.ffn_down.weight",
      "v.deepstack.1.norm.weight", "v.deepstack.1.fc1.weight", "v.deepstack.1.fc2.weight", "mm.0.weight", "mm.2.weight", "v.post_ln.weight",
      "v.position_embd.weight", "v.patch_embd.bias"]) {
      assert.ok(n.has(x), x);
    }
    assert.ok(!n.has("v.blk.0.attn_k.weight") && !n.has("v.blk.0.attn_v.weight"));
    // QKV: F16 Q and K decoded, F32 V as is, concatenated.
    const qkv = p.tensors.find((t) => t.name === "v.blk.0.attn_qkv.weight")!;
    assert.deepEqual(qkv.dims, [32, 96]);
    assert.equal(qkv.typeName, "F32");
    const merged = bytesOf(p, pp, "v.blk.0.attn_qkv.weight");
    assert.ok(merged.subarray(0, 32 * 32 * 4).equals(f16ToF32(bytesOf(s, src, "v.blk.0.attn_q.weight"))));
    assert.ok(merged.subarray(2 * 32 * 32 * 4).equals(bytesOf(s, src, "v.blk.0.attn_v.weight")));
    // Patch embedding: slice t holds source (x, y, t, co·3 + ci) at (x, y, ci, co).
    const srcPe = f16ToF32(bytesOf(s, src, "v.patch_embed.weight"));
    for (const [slice, name] of [[0, "v.patch_embd.weight"], [1, "v.patch_embd.weight.1"]] as const) {
      const t = p.tensors.find((x) => x.name === name)!;
      assert.deepEqual(t.dims, [2, 2, 3, 32]);
      const out = bytesOf(p, pp, name);
      for (const [x, y, ci, co] of [[0, 0, 0, 0], [1, 0, 2, 5], [1, 1, 1, 31]] as const) {
        const want = srcPe.readFloatLE((x + 2 * y + 4 * slice + 8 * (co * 3 + ci)) * 4);
        assert.equal(out.readFloatLE((x + 2 * y + 4 * ci + 12 * co) * 4), want, `${name} at ${x},${y},${ci},${co}`);
      }
    }
  });

  it("mistral3: YaRN keys under llama.cpp's names, tekken pre-tokenizer; Pixtral projector with permuted vision Q/K", async () => {
    const src = join(dir, "mistral3.gguf");
    await writeLlamaLike(src, {
      arch: "mistral3",
      embd: 64,
      layers: 2,
      heads: 4,
      kvHeads: 2,
      headDim: 16,
      ff: 128,
      keys: {
        "mistral3.rope.scaling.beta_fast": f32(32),
        "mistral3.rope.scaling.beta_slow": f32(1),
        "mistral3.vision.block_count": u32(1),
        "mistral3.vision.embedding_length": u32(32),
        "mistral3.vision.attention.head_count": u32(2),
        "mistral3.vision.patch_size": u32(2),
        "mistral3.vision.image_size": u32(32),
      },
      tensors: (w: Weights) => [
        w.tensor("v.patch_conv.weight", [2, 2, 3, 32], "F16"),
        w.norm("v.encoder_norm.weight", 32),
        w.tensor("v.blk.0.attn_q.weight", [32, 32], "F16"),
        w.tensor("v.blk.0.attn_k.weight", [32, 32], "F16"),
        w.tensor("v.blk.0.attn_output.weight", [32, 32]),
        w.norm("v.blk.0.attn_norm.weight", 32),
        w.norm("v.blk.0.ffn_norm.weight", 32),
        w.tensor("mm.linear_1.weight", [32, 64]),
        w.tensor("mm.linear_2.weight", [64, 64]),
        w.norm("mm.norm.weight", 32),
        w.tensor("mm.patch_merger.merging_layer.weight", [128, 32]),
      ],
    });
    const load = await translator.prepare({ modelPath: src, numCtx: 64 });
    const g = await readGguf(load.modelPath);
    assert.equal(g.metadata["mistral3.rope.scaling.yarn_beta_fast"], 32);
    assert.equal(g.metadata["tokenizer.ggml.pre"], "tekken");
    await generates(load.modelPath);

    const pp = load.projectorPath!;
    const p = await readGguf(pp);
    const s = await readGguf(src);
    assert.equal(p.metadata["clip.projector_type"], "pixtral");
    const n = names(p);
    for (const x of ["v.patch_embd.weight", "v.pre_ln.weight", "v.blk.0.attn_out.weight", "v.blk.0.ln1.weight", "v.blk.0.ln2.weight",
      "mm.1.weight", "mm.2.weight", "mm.input_norm.weight", "mm.patch_merger.weight", "v.token_embd.img_break"]) {
      assert.ok(n.has(x), x);
    }
    assert.ok(bytesOf(p, pp, "v.token_embd.img_break").equals(Buffer.alloc(64 * 4)));
    // Two heads of 16 rows: output row 1 is source row 8 (head 0, second half, pair 0); row 18 is 16 + 1.
    const q = bytesOf(p, pp, "v.blk.0.attn_q.weight");
    const sq = bytesOf(s, src, "v.blk.0.attn_q.weight");
    const row = (b: Buffer, r: number) => b.subarray(r * 64, (r + 1) * 64);
    assert.ok(row(q, 0).equals(row(sq, 0)));
    assert.ok(row(q, 1).equals(row(sq, 8)));
    assert.ok(row(q, 2).equals(row(sq, 1)));
    assert.ok(row(q, 18).equals(row(sq, 17)));
    assert.ok(row(q, 19).equals(row(sq, 25)));
  });

  it("llama4: the vision tower hidden from the text model; llama4 projector names", async () => {
    const src = join(dir, "llama4.gguf");
    await writeLlamaLike(src, {
      arch: "llama4",
      embd: 64,
      // Four layers: llama4 makes every fourth layer full attention (the rest chunked); two have none.
      layers: 4,
      heads: 4,
      kvHeads: 2,
      headDim: 16,
      ff: 128,
      moe: { every: 2, experts: 2, ff: 32 },
      keys: {
        "llama4.expert_count": u32(2),
        "llama4.expert_used_count": u32(1),
        "llama4.expert_feed_forward_length": u32(32),
        "llama4.interleave_moe_layer_step": u32(2),
        "llama4.vision.block_count": u32(1),
        "llama4.vision.embedding_length": u32(32),
        "llama4.vision.attention.head_count": u32(2),
        "llama4.vision.pixel_shuffle_ratio": f32(0.5),
      },
      tensors: (w: Weights) => [
        w.tensor("v.patch_embedding.weight", [2, 2, 3, 32], "F16"),
        w.tensor("v.positional_embedding_vlm", [32, 16]),
        w.tensor("v.class_embedding", [32]),
        w.norm("v.layernorm_pre.weight", 32),
        w.norm("v.layernorm_post.weight", 32),
        w.tensor("v.blk.0.attn_output.weight", [32, 32]),
        w.norm("v.blk.0.attn_norm.weight", 32),
        w.norm("v.blk.0.ffn_norm.weight", 32),
        w.tensor("v.blk.0.mlp.fc1.weight", [32, 64]),
        w.tensor("v.blk.0.mlp.fc2.weight", [64, 32]),
        w.tensor("v.vision_adapter.mlp.fc1.weight", [128, 64]),
        w.tensor("v.vision_adapter.mlp.fc2.weight", [64, 64]),
        w.tensor("mm.linear_1.weight", [64, 64]),
      ],
    });
    const load = await translator.prepare({ modelPath: src, numCtx: 64 });
    const g = await readGguf(load.modelPath);
    assert.equal(g.tensors.filter((t) => t.name.startsWith("v.") || t.name.startsWith("mm.")).length, 0);
    await generates(load.modelPath);
    const p = await readGguf(load.projectorPath!);
    assert.equal(p.metadata["clip.projector_type"], "llama4");
    assert.equal(p.metadata["clip.vision.projector.scale_factor"], 2);
    const n = names(p);
    for (const x of ["v.patch_embd.weight", "v.position_embd.weight", "v.class_embd", "v.pre_ln.weight", "v.post_ln.weight",
      "v.blk.0.attn_out.weight", "v.blk.0.ln1.weight", "v.blk.0.ln2.weight", "v.blk.0.ffn_up.weight", "v.blk.0.ffn_down.weight",
      "mm.model.mlp.1.weight", "mm.model.mlp.2.weight", "mm.model.fc.weight"]) {
      assert.ok(n.has(x), x);
    }
  });

  it("embeddinggemma → gemma-embedding: dense head renamed and sized; llama.cpp embeds with it", async () => {
    const src = join(dir, "embeddinggemma.gguf");
    // Six layers: every sixth is global attention, and the KV cache needs one.
    await writePublishedGemma3(src, { embd: 64, layers: 6, ff: 128, heads: 2, headDim: 32, vision: false, embedding: true });
    const load = await translator.prepare({ modelPath: src, numCtx: 64, embedding: true });
    const g = await readGguf(load.modelPath);
    assert.equal(g.metadata["general.architecture"], "gemma-embedding");
    assert.equal(g.metadata["gemma-embedding.dense_2_feat_out"], 256);
    assert.equal(g.metadata["gemma-embedding.dense_3_feat_in"], 256);
    const n = names(g);
    for (const x of ["dense_2.weight", "dense_3.weight", "output_norm.weight"]) assert.ok(n.has(x), x);
    const runner = await createEngineRunner({ modelPath: load.modelPath, numCtx: 64, numGpu: 0, embedding: true });
    try {
      const { embeddings } = await runner.embed(["Once upon a time"]);
      assert.equal(embeddings[0]!.length, 64);
      assert.ok(embeddings[0]!.every(Number.isFinite));
    } finally {
      await runner.close();
    }
  });

  it("gemma3n: vocabulary cut to the per-layer embeddings, token types and EOS fixed", async () => {
    const src = join(dir, "gemma3n.gguf");
    const vocab = await spmVocab(["<unused0>", "<unused1>", "<image>", "<audio>"]);
    vocab["tokenizer.ggml.tokens"]!.value = (vocab["tokenizer.ggml.tokens"]!.value as string[]).map((t, i) => (i === 300 ? "<unused99>" : t));
    await writeGguf(src, {
      metadata: { "general.architecture": str("gemma3n"), "gemma3n.embedding_length": u32(8), ...vocab },
      tensors: [
        { name: "token_embd.weight", dims: [8, 516], type: "F32" },
        { name: "per_layer_token_embd.weight", dims: [16, 512], type: "F32" },
        { name: "v.patch.weight", dims: [4], type: "F32" },
      ],
    });
    const load = await translator.prepare({ modelPath: src, numCtx: 64 });
    const g = await readGguf(load.modelPath);
    const te = g.tensors.find((t) => t.name === "token_embd.weight")!;
    assert.deepEqual(te.dims, [8, 512]);
    assert.equal(te.size, 8 * 512 * 4);
    assert.equal((g.metadata["tokenizer.ggml.tokens"] as string[]).length, 512);
    assert.equal((g.metadata["tokenizer.ggml.token_type"] as number[])[300], 1, "<unused…> is a normal token");
    assert.equal((g.metadata["tokenizer.ggml.token_type"] as number[])[3], 6, "<0x00> is a byte token");
    assert.deepEqual(g.metadata["tokenizer.ggml.eos_token_ids"], [1, 106]);
    assert.ok(!names(g).has("v.patch.weight"));
  });

  it("Llama 3 tokenizer markers: llama-bpe pre-tokenizer and <|eot_id|> as EOS; llama.cpp loads it", async () => {
    const vocabFile = await readGguf(fixture("vocab/ggml-vocab-llama-bpe.gguf"));
    const tok = typedMetadata(vocabFile);
    const keys: Record<string, (typeof tok)[string]> = {};
    for (const [k, v] of Object.entries(tok)) if (k.startsWith("tokenizer.")) keys[k] = v;
    keys["tokenizer.ggml.pre"] = str("default");
    keys["tokenizer.ggml.eos_token_id"] = u32(128001);
    keys["tokenizer.chat_template"] = str("{{ '<|start_header_id|>' }}");
    const src = join(dir, "llama3.gguf");
    const nVocab = (tok["tokenizer.ggml.tokens"]!.value as string[]).length;
    const { Weights } = await import("./testing.js");
    const w = new Weights(7);
    await writeGguf(src, {
      metadata: {
        "general.architecture": str("llama"),
        "llama.context_length": u32(256),
        "llama.embedding_length": u32(16),
        "llama.block_count": u32(1),
        "llama.feed_forward_length": u32(32),
        "llama.attention.head_count": u32(2),
        "llama.attention.head_count_kv": u32(1),
        "llama.rope.dimension_count": u32(8),
        "llama.attention.layer_norm_rms_epsilon": f32(1e-5),
        ...keys,
      },
      tensors: [
        w.tensor("token_embd.weight", [16, nVocab], "F16"),
        w.norm("output_norm.weight", 16),
        w.norm("blk.0.attn_norm.weight", 16),
        w.tensor("blk.0.attn_q.weight", [16, 16]),
        w.tensor("blk.0.attn_k.weight", [16, 8]),
        w.tensor("blk.0.attn_v.weight", [16, 8]),
        w.tensor("blk.0.attn_output.weight", [16, 16]),
        w.norm("blk.0.ffn_norm.weight", 16),
        w.tensor("blk.0.ffn_gate.weight", [16, 32]),
        w.tensor("blk.0.ffn_up.weight", [16, 32]),
        w.tensor("blk.0.ffn_down.weight", [32, 16]),
      ],
    });
    const load = await translator.prepare({ modelPath: src, numCtx: 64 });
    assert.notEqual(load.modelPath, src);
    const g = await readGguf(load.modelPath);
    assert.equal(g.metadata["tokenizer.ggml.pre"], "llama-bpe");
    assert.equal(g.metadata["tokenizer.ggml.eos_token_id"], 128009);
    assert.equal(g.metadata["tokenizer.ggml.eot_token_id"], 128009);
    assert.deepEqual(g.metadata["tokenizer.ggml.eos_token_ids"], [128009]);
    await generates(load.modelPath);
  });

  it("Snowflake Arctic Embed 2: the base64 charsmap becomes the byte array llama.cpp reads", async () => {
    const src = join(dir, "snowflake.gguf");
    const bytes = [1, 2, 3, 250, 0, 77];
    await writeGguf(src, {
      metadata: {
        "general.architecture": str("bert"),
        "tokenizer.ggml.model": str("t5"),
        "tokenizer.ggml.precompiled_charsmap": { type: "array<string>", value: [...Buffer.from(bytes).toString("base64")] },
      },
      tensors: [{ name: "token_embd.weight", dims: [4, 4], type: "F32" }],
    });
    const load = await translator.prepare({ modelPath: src, numCtx: 64 });
    const g = await readGguf(load.modelPath);
    assert.equal(g.types["tokenizer.ggml.precompiled_charsmap"], "array<uint8>");
    assert.deepEqual(g.metadata["tokenizer.ggml.precompiled_charsmap"], bytes);
  });

  it("a LLaVA projector without clip.projector_type gets the MLP type; a typed projector is used as it is", async () => {
    const src = join(dir, "llava-mmproj.gguf");
    await writeGguf(src, {
      metadata: { "general.architecture": str("clip"), "clip.has_vision_encoder": { type: "bool", value: true } },
      tensors: [{ name: "mm.0.weight", dims: [4, 4], type: "F32" }],
    });
    const load = await translator.prepare({ modelPath: model("stories260K.gguf"), projectorPath: src, numCtx: 64 });
    assert.equal(load.modelPath, model("stories260K.gguf"));
    assert.notEqual(load.projectorPath, src);
    assert.equal((await readGguf(load.projectorPath!)).metadata["clip.projector_type"], "mlp");
    const typed = model("mmproj-tinygemma3.gguf");
    assert.equal((await translator.prepare({ modelPath: model("stories260K.gguf"), projectorPath: typed, numCtx: 64 })).projectorPath, typed);
  });
});
