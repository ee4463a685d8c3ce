// The vision-carrying architectures after gemma3 and gpt-oss, and the tokenizer-marker fixes: each
// synthetic file in Ollama's published layout is translated; text models are loaded by llama.cpp through
// the runner; projectors are checked name by name and value by value against what llama.cpp's mtmd/clip
// reads (tools/mtmd/clip-impl.h). Their projectors run in mtmd in projectors.test.ts; the text sides of
// the rest of the table load in archs-load.test.ts, with exact data operations in archs-text.test.ts.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readGguf, typedMetadata, writeGguf } from "../gguf/index.js";
import { createEngineRunner } from "../runner/index.js";
import { fixture, tempDir } from "../testing/fixtures.js";
import { f16ToF32 } from "./ops.js";
import { Translator } from "./index.js";
import {
  bytesOf,
  generates,
  meta,
  names,
  QWEN3VL_PATCH,
  Weights,
  writePublishedGemma3,
  writePublishedLlama4,
  writePublishedMistral3,
  writePublishedQwen25vl,
  writePublishedQwen3vl,
} from "./testing.js";

const { u32, f32, str } = meta;

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
    await writePublishedQwen25vl(src);
    const load = await translator.prepare({ modelPath: src, numCtx: 64 });
    const g = await readGguf(load.modelPath);
    assert.equal(g.metadata["general.architecture"], "qwen2vl");
    assert.deepEqual(g.metadata["qwen2vl.rope.dimension_sections"], [2, 3, 3, 0]);
    await generates(load.modelPath);

    const p = await readGguf(load.projectorPath!);
    assert.equal(p.metadata["clip.projector_type"], "qwen2.5vl_merger");
    assert.equal(p.metadata["clip.vision.n_wa_pattern"], 2, "full attention at block 1: every second block");
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
    await writePublishedQwen3vl(src);
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
    assert.equal(p.metadata["clip.vision.image_size"], 4 * QWEN3VL_PATCH, "sqrt(16 positions) × the patch size");
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
    const P = QWEN3VL_PATCH;
    const srcPe = f16ToF32(bytesOf(s, src, "v.patch_embed.weight"));
    for (const [slice, name] of [[0, "v.patch_embd.weight"], [1, "v.patch_embd.weight.1"]] as const) {
      const t = p.tensors.find((x) => x.name === name)!;
      assert.deepEqual(t.dims, [P, P, 3, 32]);
      const out = bytesOf(p, pp, name);
      for (const [x, y, ci, co] of [[0, 0, 0, 0], [1, 0, 2, 5], [P - 1, 3, 1, 31]] as const) {
        const want = srcPe.readFloatLE((x + P * y + P * P * slice + 2 * P * P * (co * 3 + ci)) * 4);
        assert.equal(out.readFloatLE((x + P * y + P * P * ci + 3 * P * P * co) * 4), want, `${name} at ${x},${y},${ci},${co}`);
      }
    }
  });

  it("mistral3: YaRN keys under llama.cpp's names, tekken pre-tokenizer; Pixtral projector with permuted vision Q/K", async () => {
    const src = join(dir, "mistral3.gguf");
    await writePublishedMistral3(src);
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
    await writePublishedLlama4(src);
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
});
