import assert from "node:assert/strict";
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, describe, it } from "node:test";
import { readGguf } from "../gguf/index.js";
import { collect } from "../runner/testing/contract.js";
import { createEngineRunner } from "../runner/index.js";
import { model, tempDir } from "../testing/fixtures.js";
import { ConversionError } from "../util/errors.js";
import { convertedBytes, planAdapter, SourceFiles, writeSafetensors } from "./index.js";
import { fromFloat32 } from "./floats.js";

const tmp = tempDir("herd-adapter-");
after(() => tmp.cleanup());

/** A PEFT LoRA (rank 4) on stories260K's q_proj and v_proj; lora_B all `b` (PEFT initializes it to zero). */
async function writeAdapter(dir: string, b: number): Promise<Record<string, string>> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "adapter_config.json"), JSON.stringify({ peft_type: "LORA", r: 4, lora_alpha: 8, target_modules: ["q_proj", "v_proj"] }));
  const tensors = [];
  for (let i = 0; i < 5; i++) {
    for (const [proj, out] of [["q_proj", 64], ["v_proj", 32]] as const) {
      const a = Float32Array.from({ length: 4 * 64 }, (_, k) => Math.sin(k + i) * 0.1);
      const bv = Float32Array.from({ length: out * 4 }, (_, k) => b * Math.cos(k));
      const p = `base_model.model.model.layers.${i}.self_attn.${proj}`;
      tensors.push({ name: `${p}.lora_A.weight`, dtype: "F32" as const, shape: [4, 64], data: fromFloat32(a, "F32") });
      tensors.push({ name: `${p}.lora_B.weight`, dtype: "F32" as const, shape: [out, 4], data: fromFloat32(bv, "F32") });
    }
  }
  await writeSafetensors(join(dir, "adapter_model.safetensors"), tensors);
  return { "adapter_config.json": join(dir, "adapter_config.json"), "adapter_model.safetensors": join(dir, "adapter_model.safetensors") };
}

describe("LoRA adapters in safetensors (llama base)", () => {
  it("convert to a GGUF adapter llama.cpp applies: zero B leaves the output unchanged, non-zero B changes it", async () => {
    const base = (await readGguf(model("stories260K.gguf"))).metadata;
    const outs: string[] = [];
    for (const b of [0, 0.5]) {
      const files = await writeAdapter(join(tmp.dir, `b${b}`), b);
      const plan = await planAdapter(SourceFiles.of(files), base);
      const out = join(tmp.dir, `adapter-${b}.gguf`);
      await pipeline(Readable.from(convertedBytes(plan)), createWriteStream(out));
      outs.push(out);
    }
    const g = await readGguf(outs[0]!);
    assert.equal(g.metadata["general.type"], "adapter");
    assert.equal(g.metadata["adapter.lora.alpha"], 8);
    const a = g.tensors.find((t) => t.name === "blk.0.attn_q.weight.lora_a")!;
    const bq = g.tensors.find((t) => t.name === "blk.0.attn_q.weight.lora_b")!;
    assert.deepEqual([a.dims, bq.dims], [[64, 4], [4, 64]]);
    assert.equal(g.tensors.length, 20);

    const req = { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 16 } };
    const runners = await Promise.all(
      [[], [outs[0]!], [outs[1]!]].map((adapters) => createEngineRunner({ modelPath: model("stories260K.gguf"), numCtx: 64, numGpu: 0, adapters })),
    );
    try {
      const [plain, zero, lora] = await Promise.all(runners.map(async (r) => (await collect(r, req)).text));
      assert.equal(zero, plain);
      assert.notEqual(lora, plain);
    } finally {
      await Promise.all(runners.map((r) => r.close()));
    }
  });

  it("refuses a base that is not llama", async () => {
    const files = await writeAdapter(join(tmp.dir, "other"), 0);
    await assert.rejects(planAdapter(SourceFiles.of(files), { "general.architecture": "qwen2" }), (e) => e instanceof ConversionError && e.message === "unsupported architecture");
  });
});

describe("LoRA on rotary projections", () => {
  it("applies like the same update merged into the HF weights before conversion (lora_b gets the Q/K permutation)", async () => {
    const { readCheckpoint } = await import("./index.js");
    const { readFileSync, copyFileSync, readdirSync } = await import("node:fs");
    const { planModel } = await import("./index.js");
    const HF = model("stories260K-hf");
    // Rank-1 update on q_proj and k_proj of every layer: W' = W + (alpha/r)·B·A with alpha = r.
    const rank = 1;
    const a = (n: number, s: number) => Float32Array.from({ length: n }, (_, k) => Math.sin(k * 0.7 + s) * 0.6);
    const dir = join(tmp.dir, "merge");
    mkdirSync(dir, { recursive: true });
    const adapterTensors = [];
    const merged = [];
    const src = await readCheckpoint(SourceFiles.of({ "model.safetensors": join(HF, "model.safetensors") }));
    const raw = readFileSync(join(HF, "model.safetensors"));
    for (const t of src) {
      const w = new Float32Array(raw.buffer.slice(raw.byteOffset + t.offset, raw.byteOffset + t.offset + t.size));
      const m = /^model\.layers\.(\d+)\.self_attn\.(q|k)_proj\.weight$/.exec(t.name);
      if (m) {
        const [out, inp] = t.shape as [number, number];
        const A = a(inp, Number(m[1]));
        const B = a(out, 10 + Number(m[1]) + (m[2] === "k" ? 5 : 0));
        for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) w[o * inp + i] += B[o]! * A[i]!;
        const p = `base_model.model.model.layers.${m[1]}.self_attn.${m[2]}_proj`;
        adapterTensors.push({ name: `${p}.lora_A.weight`, dtype: "F32" as const, shape: [rank, inp], data: fromFloat32(A, "F32") });
        adapterTensors.push({ name: `${p}.lora_B.weight`, dtype: "F32" as const, shape: [out, rank], data: fromFloat32(B, "F32") });
      }
      merged.push({ name: t.name, dtype: "F32" as const, shape: t.shape, data: new Uint8Array(w.buffer) });
    }
    for (const f of readdirSync(HF)) if (f !== "model.safetensors") copyFileSync(join(HF, f), join(dir, f));
    await writeSafetensors(join(dir, "model.safetensors"), merged);
    const mergedGguf = join(tmp.dir, "merged.gguf");
    const files = Object.fromEntries(readdirSync(dir).map((f) => [f, join(dir, f)]));
    await pipeline(Readable.from(convertedBytes(await planModel(SourceFiles.of(files), "F32"))), createWriteStream(mergedGguf));

    const adir = join(tmp.dir, "rot-adapter");
    mkdirSync(adir, { recursive: true });
    writeFileSync(join(adir, "adapter_config.json"), JSON.stringify({ peft_type: "LORA", r: rank, lora_alpha: rank }));
    await writeSafetensors(join(adir, "adapter_model.safetensors"), adapterTensors);
    const plan = await planAdapter(SourceFiles.of({ "adapter_config.json": join(adir, "adapter_config.json"), "adapter_model.safetensors": join(adir, "adapter_model.safetensors") }), (await readGguf(model("stories260K.gguf"))).metadata);
    // F32 factors so the comparison is not about F16 rounding.
    for (const t of plan.tensors) t.type = "F32";
    const adapter = join(tmp.dir, "rot-adapter.gguf");
    await pipeline(Readable.from(convertedBytes(plan)), createWriteStream(adapter));

    // W·x + B·(A·x) and (W + B·A)·x round differently: past ~15 tokens the two greedy paths can part at a
    // near-tie. 12 tokens agree with the permutation; without it they part by the 4th.
    const req = { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 12 } };
    const runners = await Promise.all([
      createEngineRunner({ modelPath: mergedGguf, numCtx: 64, numGpu: 0, numThread: 1 }),
      createEngineRunner({ modelPath: model("stories260K.gguf"), numCtx: 64, numGpu: 0, numThread: 1, adapters: [adapter] }),
      createEngineRunner({ modelPath: model("stories260K.gguf"), numCtx: 64, numGpu: 0, numThread: 1 }),
    ]);
    try {
      const [m, l, base] = await Promise.all(runners.map(async (r) => (await collect(r, req)).text));
      assert.notEqual(m, base, "the update changes the output");
      assert.equal(l, m);
    } finally {
      await Promise.all(runners.map((r) => r.close()));
    }
  });
});
