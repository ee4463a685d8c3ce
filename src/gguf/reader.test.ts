import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES, MODELS, dataFile, fixture, model } from "../testing/fixtures.js";
import { BadRequestError } from "../util/errors.js";
import { UnsupportedGgufVersionError, readGguf } from "./index.js";

function ggufFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return ggufFiles(p);
    if (p.endsWith(".gguf")) return [p];
    return p.endsWith(".gguf.br") ? [dataFile(p.slice(0, -3))] : [];
  });
}

const V1 = model("stories260K-gguf-v1.gguf");

describe("readGguf on the test-data files", () => {
  const all = [...ggufFiles(MODELS), ...ggufFiles(join(FIXTURES, "vocab"))];

  it("finds the fixture files", () => {
    assert.ok(all.length >= 11, `found ${all.length}`);
  });

  for (const path of all) {
    if (path === V1) continue;
    it(`parses ${path.slice(path.lastIndexOf("/") + 1)}`, async () => {
      const g = await readGguf(path);
      assert.ok(g.version === 2 || g.version === 3);
      assert.equal(typeof g.metadata["general.architecture"], "string");
      assert.ok(g.dataOffset % g.alignment === 0);
      // Vocab-only files end right after the header, before any alignment padding.
      if (g.tensors.length > 0) assert.ok(g.dataOffset <= g.fileSize);
      for (const t of g.tensors) assert.ok(t.size !== undefined && g.dataOffset + t.offset + t.size <= g.fileSize);
    });
  }

  it("reads stories260K's header facts", async () => {
    const g = await readGguf(model("stories260K.gguf"));
    assert.equal(g.version, 3);
    assert.equal(g.metadata["general.architecture"], "llama");
    assert.equal(g.metadata["llama.context_length"], 2048);
    assert.equal(g.metadata["llama.embedding_length"], 64);
    assert.equal(g.types["llama.context_length"], "uint32");
    const tokens = g.metadata["tokenizer.ggml.tokens"] as string[];
    assert.equal(tokens.length, 512);
    assert.deepEqual(tokens.slice(0, 3), ["<unk>", "<s>", "</s>"]);
    assert.equal(g.types["tokenizer.ggml.scores"], "array<float32>");
    assert.equal(g.tensors.length, 48);
    assert.ok(g.tensors.every((t) => t.typeName === "F32"));
    const embd = g.tensors.find((t) => t.name === "token_embd.weight");
    assert.deepEqual(embd?.dims, [64, 512]);
    assert.equal(embd?.size, 64 * 512 * 4);
    assert.equal(g.alignment, 32);
  });

  it("reads the Q8_0 file's tensor mix", async () => {
    const g = await readGguf(model("stories260K-Q8_0.gguf"));
    const count = (n: string) => g.tensors.filter((t) => t.typeName === n).length;
    assert.deepEqual([count("Q8_0"), count("F16"), count("F32")], [32, 5, 11]);
    assert.equal(g.metadata["general.file_type"], 7);
  });

  it("reads big vocabularies (128k tokens, 280k merges) completely", async () => {
    const g = await readGguf(fixture("vocab/ggml-vocab-llama-bpe.gguf"));
    assert.equal((g.metadata["tokenizer.ggml.tokens"] as string[]).length, 128256);
    assert.equal((g.metadata["tokenizer.ggml.merges"] as string[]).length, 280147);
    assert.equal((g.metadata["tokenizer.ggml.tokens"] as string[])[128000], "<|begin_of_text|>");
  });

  it("reads only the header of the 32 MB bench model", async () => {
    const path = model("bench/synth-llama-58M-q4_0.gguf");
    const started = performance.now();
    const g = await readGguf(path);
    const ms = performance.now() - started;
    assert.equal(g.fileSize, 32466144);
    assert.ok(g.bytesRead < g.fileSize / 10, `read ${g.bytesRead} of ${g.fileSize} bytes`);
    assert.ok(g.bytesRead >= g.dataOffset - 256 * 1024);
    assert.equal((g.metadata["tokenizer.ggml.tokens"] as string[]).length, 32000);
    console.log(`# bench header: ${ms.toFixed(1)} ms, ${g.bytesRead} of ${g.fileSize} bytes read`);
  });

  it("refuses the GGUF v1 file with a clear 400-class error", async () => {
    await assert.rejects(readGguf(V1), (e: unknown) => {
      assert.ok(e instanceof UnsupportedGgufVersionError);
      assert.ok(e instanceof BadRequestError);
      assert.equal(e.message, "GGUF version 1 is not supported");
      return true;
    });
  });

  it("refuses a non-GGUF file (the Modelfile)", async () => {
    await assert.rejects(readGguf(model("llama-2-tiny-random.Modelfile")), {
      name: "NotGgufError",
      message: "supplied file was not in GGUF format",
    });
  });
});
