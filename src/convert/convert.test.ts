import assert from "node:assert/strict";
import { copyFileSync, createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, before, describe, it } from "node:test";
import { halfFromFloatBits, readGguf } from "../gguf/index.js";
import { collect } from "../runner/testing/contract.js";
import { createEngineRunner } from "../runner/index.js";
import { model, tempDir } from "../testing/fixtures.js";
import { ConversionError } from "../util/errors.js";
import { convertedBytes, type OutType, planModel, SourceFiles, writeSafetensors } from "./index.js";

const HF = model("stories260K-hf");
const filesOf = (dir: string) => SourceFiles.of(Object.fromEntries(readdirSync(dir).map((f) => [f, join(dir, f)])));

async function convertTo(dir: string, out: string, want?: OutType): Promise<void> {
  await pipeline(Readable.from(convertedBytes(await planModel(filesOf(dir), want))), createWriteStream(out));
}

function tensorData(path: string, g: Awaited<ReturnType<typeof readGguf>>, name: string): Buffer {
  const buf = readFileSync(path);
  const t = g.tensors.find((x) => x.name === name)!;
  const bytes = t.dims.reduce((a, b) => a * b, 1) * (t.type === 0 ? 4 : 2);
  const start = g.dataOffset + Number(t.offset);
  return buf.subarray(start, start + bytes);
}

describe("convert stories260K-hf (LlamaForCausalLM, SentencePiece, tied embeddings)", () => {
  const tmp = tempDir("herd-convert-");
  const f32 = join(tmp.dir, "f32.gguf");
  const f16 = join(tmp.dir, "f16.gguf");
  before(async () => {
    await convertTo(HF, f32, "F32");
    await convertTo(HF, f16);
  });
  after(() => tmp.cleanup());

  it("gives stories260K.gguf's 47 tensors bit for bit when F32 is asked for", async () => {
    const ref = model("stories260K.gguf");
    const [a, b] = await Promise.all([readGguf(f32), readGguf(ref)]);
    assert.equal(a.tensors.length, 47); // the reference also carries output.weight; HF ties it to token_embd
    for (const t of a.tensors) {
      const u = b.tensors.find((x) => x.name === t.name);
      assert.ok(u, t.name);
      assert.deepEqual(t.dims, u.dims, t.name);
      assert.equal(t.type, 0, t.name);
      assert.ok(tensorData(f32, a, t.name).equals(tensorData(ref, b, t.name)), `${t.name} differs`);
    }
    // Only the context length differs (512 in config.json; the GGUF says 2048), as test/data/README.md says.
    assert.equal(a.metadata["llama.context_length"], 512);
    for (const k of ["llama.embedding_length", "llama.block_count", "llama.attention.head_count", "llama.attention.head_count_kv", "llama.rope.dimension_count", "llama.feed_forward_length"]) {
      assert.equal(a.metadata[k], b.metadata[k], k);
    }
    assert.deepEqual(a.metadata["tokenizer.ggml.tokens"], b.metadata["tokenizer.ggml.tokens"]);
    assert.deepEqual(a.metadata["tokenizer.ggml.token_type"], b.metadata["tokenizer.ggml.token_type"]);
    assert.equal(a.metadata["general.file_type"], 0);
  });

  it("defaults to Ollama's F16: 2-D tensors F16, norms F32, general.file_type 1", async () => {
    const g = await readGguf(f16);
    assert.equal(g.metadata["general.file_type"], 1);
    for (const t of g.tensors) assert.equal(t.type, t.dims.length === 1 ? 0 : 1, t.name);
    // Each F16 element is the F32 one rounded to nearest even.
    const ref = await readGguf(f32);
    const a = tensorData(f32, ref, "blk.0.attn_q.weight");
    const h = tensorData(f16, g, "blk.0.attn_q.weight");
    for (let i = 0; i < 64; i++) assert.equal(h.readUInt16LE(i * 2), halfFromFloatBits(a.readUInt32LE(i * 4)));
  });

  it("generates the same greedy text as stories260K.gguf (F32 and F16)", async () => {
    const req = { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 24 } };
    const runners = await Promise.all([model("stories260K.gguf"), f32, f16].map((p) => createEngineRunner({ modelPath: p, numCtx: 128, numGpu: 0 })));
    try {
      const [ref, a, b] = await Promise.all(runners.map(async (r) => (await collect(r, req)).text));
      assert.match(ref!, /^, there was a little girl named Lily/);
      assert.equal(a, ref);
      assert.equal(b, ref);
    } finally {
      await Promise.all(runners.map((r) => r.close()));
    }
  });
});

describe("bad checkpoints are refused with a clear message", () => {
  const tmp = tempDir("herd-convert-bad-");
  after(() => tmp.cleanup());
  let n = 0;
  const copy = (): string => {
    const dir = join(tmp.dir, String(n++));
    mkdirSync(dir);
    for (const f of readdirSync(HF)) copyFileSync(join(HF, f), join(dir, f));
    return dir;
  };
  const refuses = async (dir: string, msg: RegExp) => {
    await assert.rejects(
      (async () => {
        for await (const _ of convertedBytes(await planModel(filesOf(dir)))) void _;
      })(),
      (e: unknown) => e instanceof ConversionError && msg.test((e as Error).message),
    );
  };

  it("an unsupported architecture, named as Ollama does", async () => {
    const dir = copy();
    const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...cfg, architectures: ["FalconForCausalLM"] }));
    await refuses(dir, /^unsupported architecture "FalconForCausalLM"$/);
  });

  it("a missing tokenizer", async () => {
    const dir = copy();
    rmSync(join(dir, "tokenizer.model"));
    await refuses(dir, /no tokenizer found/);
  });

  it("a shard the index names but the upload lacks", async () => {
    const dir = copy();
    writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ weight_map: { "a": "model-00001-of-00002.safetensors", b: "model-00002-of-00002.safetensors" } }));
    await refuses(dir, /shard model-00001-of-00002\.safetensors listed in model\.safetensors\.index\.json is missing/);
  });

  it("a truncated safetensors file", async () => {
    const dir = copy();
    truncateSync(join(dir, "model.safetensors"), 500_000);
    await refuses(dir, /truncated safetensors file/);
  });

  it("a dtype that cannot be converted", async () => {
    const dir = copy();
    await writeSafetensors(join(dir, "model.safetensors"), [{ name: "model.embed_tokens.weight", dtype: "F32", shape: [2, 2], data: new Uint8Array(16) }]);
    const raw = readFileSync(join(dir, "model.safetensors"));
    writeFileSync(join(dir, "model.safetensors"), Buffer.from(raw.toString("latin1").replace('"dtype":"F32"', '"dtype":"I32"'), "latin1"));
    await refuses(dir, /has dtype I32, which cannot be converted/);
  });
});
