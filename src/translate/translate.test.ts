import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readGguf, writeGguf, typedMetadata } from "../gguf/index.js";
import { createEngineRunner } from "../runner/index.js";
import { model, tempDir } from "../testing/fixtures.js";
import { ModelLoadError } from "../util/errors.js";
import { IncompatibleModelError, Translator } from "./index.js";
import {
  bytesOf,
  generates,
  tinyGemma3Projector,
  writePublishedGemma3,
  writePublishedGptoss,
  writePublishedMistral3,
  writePublishedQwen25vl,
  writePublishedQwen3vl,
} from "./testing.js";

const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

describe("translation of published models", () => {
  let dir: string;
  let cleanup: () => void;
  const gemma = () => join(dir, "gemma3.gguf");
  const gptoss = () => join(dir, "gptoss.gguf");
  before(async () => {
    ({ dir, cleanup } = tempDir("herd-translate-"));
    await writePublishedGemma3(gemma(), { embd: 128, layers: 2, ff: 256, heads: 2, headDim: 64, vision: true });
    await writePublishedGptoss(gptoss(), { embd: 64, layers: 2, heads: 4, headDim: 16, experts: 4, expertFf: 32 });
  });
  after(() => cleanup());

  it("gemma3: llama.cpp refuses the published file and loads the translation, which generates", async () => {
    await assert.rejects(createEngineRunner({ modelPath: gemma(), numCtx: 64, numGpu: 0 }), ModelLoadError);
    const before = sha(gemma());
    const t = new Translator({ dir: join(dir, "cache-a") });
    const load = await t.prepare({ modelPath: gemma(), numCtx: 64 });
    assert.notEqual(load.modelPath, gemma());
    assert.ok(load.projectorPath, "a monolithic vision model gets its projector");
    assert.equal(sha(gemma()), before, "the published blob is untouched");
    // An engine without libmtmd loads the same translation as text only.
    const blind = await new Translator({ dir: join(dir, "cache-a"), projectors: () => false }).prepare({ modelPath: gemma(), numCtx: 64 });
    assert.deepEqual([blind.modelPath, blind.projectorPath], [load.modelPath, undefined]);

    const g = await readGguf(load.modelPath);
    assert.equal(g.tensors.filter((x) => x.name.startsWith("v.") || x.name.startsWith("mm.")).length, 0);
    assert.ok(Math.abs((g.metadata["gemma3.attention.layer_norm_rms_epsilon"] as number) - 1e-6) < 1e-12);
    assert.equal(g.metadata["gemma3.rope.freq_base"], 1000000);
    assert.equal((g.metadata["tokenizer.ggml.tokens"] as string[]).length, 512, "the image token is cut to the embedding rows");
    assert.match(g.metadata["tokenizer.chat_template"] as string, /<start_of_turn>/);
    assert.ok((await generates(load.modelPath, 4)) >= 1);
  });

  it("gemma3: the projector is the llama.cpp one the published file was made from", async () => {
    const t = new Translator({ dir: join(dir, "cache-a") });
    const load = await t.prepare({ modelPath: gemma(), numCtx: 64 });
    const got = await readGguf(load.projectorPath!);
    const { gguf: want } = await tinyGemma3Projector();
    assert.deepEqual(got.tensors.map((x) => x.name).sort(), want.tensors.map((x) => x.name).sort());
    for (const w of want.tensors) {
      const x = got.tensors.find((y) => y.name === w.name)!;
      assert.deepEqual(x.dims, w.dims, w.name);
      assert.equal(x.typeName, w.typeName, w.name);
      const a = bytesOf(got, load.projectorPath!, w.name);
      const b = bytesOf(want, model("mmproj-tinygemma3.gguf"), w.name);
      if (w.name === "v.patch_embd.weight" || w.name === "v.position_embd.weight") {
        // Published in F16 (flushing subnormals), promoted back to F32: equal to F16 precision.
        for (let i = 0; i < a.length; i += 4) assert.ok(Math.abs(a.readFloatLE(i) - b.readFloatLE(i)) <= Math.abs(b.readFloatLE(i)) * 2e-3 + 6.2e-5);
      } else {
        assert.ok(a.equals(b), `${w.name} bytes`);
      }
    }
    for (const k of [
      "clip.projector_type",
      "clip.vision.block_count",
      "clip.vision.embedding_length",
      "clip.vision.feed_forward_length",
      "clip.vision.image_size",
      "clip.vision.patch_size",
      "clip.vision.attention.head_count",
      "clip.vision.projection_dim",
      "clip.vision.projector.scale_factor",
      "clip.vision.image_mean",
      "clip.has_vision_encoder",
      "clip.use_gelu",
      "general.architecture",
    ]) {
      assert.deepEqual(got.metadata[k], want.metadata[k], k);
    }
    assert.equal(got.metadata["tokenizer.ggml.tokens"], undefined, "a projector carries no tokenizer");
  });

  it("a translated file is byte-identical between two runs, and a re-load rewrites nothing", async () => {
    const a = await new Translator({ dir: join(dir, "cache-a") }).prepare({ modelPath: gemma(), numCtx: 64 });
    const b = await new Translator({ dir: join(dir, "cache-b") }).prepare({ modelPath: gemma(), numCtx: 64 });
    assert.equal(sha(a.modelPath), sha(b.modelPath));
    assert.equal(sha(a.projectorPath!), sha(b.projectorPath!));
    const t = new Translator({ dir: join(dir, "cache-b") });
    const mtime = statSync(b.modelPath).mtimeMs;
    const again = await t.prepare({ modelPath: gemma(), numCtx: 64 });
    assert.equal(again.modelPath, b.modelPath);
    assert.equal(statSync(b.modelPath).mtimeMs, mtime);
  });

  it("the translations with data operations (QKV merge, patch split, Q/K permutation, F32 promotion) are byte-identical between two runs too", async () => {
    for (const [name, write] of [
      ["qwen25vl", writePublishedQwen25vl],
      ["qwen3vl", writePublishedQwen3vl],
      ["mistral3", writePublishedMistral3],
    ] as const) {
      const src = join(dir, `${name}.gguf`);
      await write(src);
      const a = await new Translator({ dir: join(dir, `${name}-a`) }).prepare({ modelPath: src, numCtx: 64 });
      const b = await new Translator({ dir: join(dir, `${name}-b`) }).prepare({ modelPath: src, numCtx: 64 });
      assert.equal(sha(a.modelPath), sha(b.modelPath), `${name} text model`);
      assert.equal(sha(a.projectorPath!), sha(b.projectorPath!), `${name} projector`);
    }
  });

  it("a torn translation (short, or still the source's header) is written again by the next process's first load", async () => {
    const { truncateSync, writeFileSync, readFileSync } = await import("node:fs");
    const good = await new Translator({ dir: join(dir, "cache-b") }).prepare({ modelPath: gemma(), numCtx: 64 });
    const want = sha(good.modelPath);
    const wantProj = sha(good.projectorPath!);
    // Data that never reached the disk: the file is short.
    truncateSync(good.projectorPath!, 1000);
    // A clone whose new header was lost: the source's header over the right size.
    const bytes = readFileSync(good.modelPath);
    readFileSync(gemma()).copy(bytes, 0, 0, 4096);
    writeFileSync(good.modelPath, bytes);
    const again = await new Translator({ dir: join(dir, "cache-b") }).prepare({ modelPath: gemma(), numCtx: 64 });
    assert.deepEqual([sha(again.modelPath), sha(again.projectorPath!)], [want, wantProj]);
  });

  it("gptoss → gpt-oss: renamed architecture, keys and tensors; llama.cpp loads it and generates", async () => {
    await assert.rejects(createEngineRunner({ modelPath: gptoss(), numCtx: 64, numGpu: 0 }), ModelLoadError);
    const load = await new Translator({ dir: join(dir, "cache-a") }).prepare({ modelPath: gptoss(), numCtx: 64 });
    assert.equal(load.projectorPath, undefined);
    const g = await readGguf(load.modelPath);
    assert.equal(g.metadata["general.architecture"], "gpt-oss");
    assert.equal(g.metadata["gpt-oss.expert_feed_forward_length"], 32);
    assert.equal(g.metadata["tokenizer.ggml.pre"], "gpt-4o");
    const names = new Set(g.tensors.map((x) => x.name));
    for (const n of ["blk.0.attn_output.weight", "blk.0.attn_sinks.weight", "blk.1.post_attention_norm.weight"]) assert.ok(names.has(n), n);
    assert.ok((await generates(load.modelPath, 4)) >= 1);
  });

  it("a file no handler recognises is used as it is, with nothing written", async () => {
    const cache = join(dir, "cache-none");
    const load = await new Translator({ dir: cache }).prepare({ modelPath: model("stories260K.gguf"), numCtx: 64 });
    assert.equal(load.modelPath, model("stories260K.gguf"));
    assert.equal(load.projectorPath, undefined);
    assert.throws(() => readdirSync(cache));
  });

  it("a gemma3 file lacking vision keys and tensors: a clear error, nothing in the cache, the blob untouched", async () => {
    const g = await readGguf(gemma());
    const md = typedMetadata(g);
    delete md["gemma3.vision.patch_size"];
    const buf = readFileSync(gemma());
    const tensors = g.tensors
      .filter((x) => x.name !== "v.patch_embedding.weight")
      .map((x) => ({ name: x.name, dims: x.dims, type: x.type, data: buf.subarray(g.dataOffset + x.offset, g.dataOffset + x.offset + x.size!) }));
    const bad = join(dir, "bad.gguf");
    await writeGguf(bad, { metadata: md, tensors });
    const before = sha(bad);
    const cache = join(dir, "cache-bad");
    await assert.rejects(new Translator({ dir: cache }).prepare({ modelPath: bad, numCtx: 64 }), (err: Error) => {
      assert.ok(err instanceof IncompatibleModelError);
      assert.ok(err instanceof ModelLoadError);
      assert.match(err.message, /"gemma3\.vision\.patch_size"/);
      assert.match(err.message, /"v\.patch_embedding\.weight"/);
      assert.match(err.message, /this model may be incompatible with your version of Ollama/);
      return true;
    });
    assert.deepEqual(readdirOr(cache), []);
    assert.equal(sha(bad), before);
  });

  it("an interrupted write leaves no file a load would use", async () => {
    const cache = join(dir, "cache-kill");
    const copy = join(dir, "gemma-copy.gguf");
    copyFileSync(gemma(), copy);
    const t = new Translator({ dir: cache });
    // A source cut short (a disk error, a blob replaced mid-load) fails the translation.
    const g = await readGguf(copy);
    const { truncateSync } = await import("node:fs");
    truncateSync(copy, g.dataOffset + 100);
    await assert.rejects(t.prepare({ modelPath: copy, numCtx: 64 }));
    assert.deepEqual(readdirOr(cache), []);
  });
});

function readdirOr(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}
