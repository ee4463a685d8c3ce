import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { model, tempDir } from "../testing/fixtures.js";
import { CorruptGgufError, NotGgufError, UnsupportedGgufVersionError } from "../util/errors.js";
import { encodeGguf, readGguf, typedMetadata, writeGguf, type GgufWriteSpec } from "./index.js";

const tiny: GgufWriteSpec = {
  metadata: {
    "general.architecture": { type: "string", value: "llama" },
    "llama.context_length": { type: "uint32", value: 128 },
  },
  tensors: [
    { name: "a.weight", dims: [32, 2], type: "F32" },
    { name: "b.weight", dims: [64], type: "Q8_0" },
  ],
};

describe("writeGguf / readGguf", () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir("herd-gguf-")));
  after(() => cleanup());

  it("round-trips every metadata value type, nested arrays and big integers", async () => {
    const metadata = {
      "general.architecture": { type: "string", value: "test" },
      u8: { type: "uint8", value: 255 },
      i8: { type: "int8", value: -128 },
      u16: { type: "uint16", value: 65535 },
      i16: { type: "int16", value: -32768 },
      u32: { type: "uint32", value: 4294967295 },
      i32: { type: "int32", value: -2147483648 },
      f32: { type: "float32", value: 0.5 },
      b: { type: "bool", value: true },
      s: { type: "string", value: "héllo\nworld" },
      u64small: { type: "uint64", value: 1234567890123 },
      u64big: { type: "uint64", value: 18446744073709551615n },
      i64neg: { type: "int64", value: -5 },
      i64big: { type: "int64", value: -9223372036854775808n },
      f64: { type: "float64", value: 1e-300 },
      strs: { type: "array<string>", value: ["a", "", "ü"] },
      floats: { type: "array<float32>", value: [1, -2.5] },
      bools: { type: "array<bool>", value: [true, false] },
      empty: { type: "array<int32>", value: [] },
      nested: { type: "array<array<int32>>", value: [[1, 2], [3]] },
    } as const;
    const path = join(dir, "types.gguf");
    await writeGguf(path, { metadata: metadata as unknown as GgufWriteSpec["metadata"] });
    const g = await readGguf(path);
    for (const [k, { type, value }] of Object.entries(metadata)) {
      assert.deepEqual(g.metadata[k], value, k);
      assert.equal(g.types[k], type, k);
    }
    assert.equal(typeof g.metadata.u64small, "number");
    assert.equal(typeof g.metadata.u64big, "bigint");
    // Rewriting what was read gives the same bytes.
    assert.deepEqual(encodeGguf({ metadata: typedMetadata(g) }), encodeGguf({ metadata: metadata as unknown as GgufWriteSpec["metadata"] }));
  });

  it("lays tensors out aligned and computes their sizes", async () => {
    const path = join(dir, "tiny.gguf");
    await writeGguf(path, tiny);
    const g = await readGguf(path);
    assert.deepEqual(
      g.tensors.map((t) => [t.name, t.typeName, t.offset, t.size, t.elements]),
      [
        ["a.weight", "F32", 0, 256, 64],
        ["b.weight", "Q8_0", 256, 68, 64],
      ],
    );
    assert.equal(g.fileSize, g.dataOffset + 256 + 68);
  });

  it("honours general.alignment", async () => {
    const path = join(dir, "aligned.gguf");
    const md = { ...tiny.metadata, "general.alignment": { type: "uint32" as const, value: 64 } };
    await writeGguf(path, { ...tiny, metadata: md, tensors: [{ name: "x", dims: [3], type: "F32" }, { name: "y", dims: [3], type: "F32" }] });
    const g = await readGguf(path);
    assert.equal(g.alignment, 64);
    assert.equal(g.dataOffset % 64, 0);
    assert.deepEqual(g.tensors.map((t) => t.offset), [0, 64]);
  });

  it("reads 150k-string vocabularies", async () => {
    const tokens = Array.from({ length: 150_000 }, (_, i) => `tok_${i}_▁x`);
    const path = join(dir, "vocab.gguf");
    await writeGguf(path, {
      metadata: {
        "general.architecture": { type: "string", value: "llama" },
        "tokenizer.ggml.tokens": { type: "array<string>", value: tokens },
        "tokenizer.ggml.scores": { type: "array<float32>", value: tokens.map((_, i) => -i) },
      },
    });
    const g = await readGguf(path);
    assert.deepEqual(g.metadata["tokenizer.ggml.tokens"], tokens);
    assert.equal((g.metadata["tokenizer.ggml.scores"] as number[])[149_999], -149_999);
  });

  describe("refusals", () => {
    it("wrong magic → NotGgufError with Ollama's wording", async () => {
      const path = join(dir, "magic.gguf");
      await writeGguf(path, { ...tiny, magic: "GGUG" });
      await assert.rejects(readGguf(path), (e: unknown) => e instanceof NotGgufError && e.message === "supplied file was not in GGUF format");
    });

    it("empty and tiny files → NotGgufError", async () => {
      const path = join(dir, "empty.gguf");
      await writeFile(path, "");
      await assert.rejects(readGguf(path), NotGgufError);
      await writeFile(path, "GG");
      await assert.rejects(readGguf(path), NotGgufError);
    });

    it("GGUF v1 → UnsupportedGgufVersionError", async () => {
      const path = join(dir, "v1.gguf");
      await writeGguf(path, { ...tiny, version: 1 });
      await assert.rejects(readGguf(path), { name: "UnsupportedGgufVersionError", message: "GGUF version 1 is not supported" });
    });

    it("future versions → UnsupportedGgufVersionError", async () => {
      const path = join(dir, "v4.gguf");
      await writeGguf(path, { ...tiny, version: 4 });
      await assert.rejects(readGguf(path), (e: unknown) => e instanceof UnsupportedGgufVersionError && e.version === 4);
    });

    it("unknown tensor type → CorruptGgufError naming the tensor", async () => {
      const path = join(dir, "badtype.gguf");
      await writeGguf(path, { ...tiny, tensors: [{ name: "w", dims: [32], type: 31, size: 32 }] });
      await assert.rejects(readGguf(path), (e: unknown) => {
        assert.ok(e instanceof CorruptGgufError);
        assert.match(e.message, /tensor "w" has unknown type 31/);
        return true;
      });
      // The header itself is still readable without validation.
      const g = await readGguf(path, { validate: false });
      assert.equal(g.tensors[0]?.typeName, "unknown(31)");
    });

    it("tensor data past the end of the file → CorruptGgufError", async () => {
      const path = join(dir, "short.gguf");
      await writeGguf(path, tiny);
      const full = (await readGguf(path)).fileSize;
      await truncate(path, full - 1);
      await assert.rejects(readGguf(path), (e: unknown) => {
        assert.ok(e instanceof CorruptGgufError);
        assert.match(e.message, /tensor "b\.weight" data ends at byte \d+, past the end of the file/);
        return true;
      });
    });

    it("a real model cut short → CorruptGgufError", async () => {
      const path = join(dir, "cut.gguf");
      const bytes = encodeGguf({ metadata: typedMetadata(await readGguf(model("stories260K.gguf"))) });
      await writeFile(path, bytes.subarray(0, 5000));
      await assert.rejects(readGguf(path), (e: unknown) => e instanceof CorruptGgufError && /header is truncated/.test(e.message));
    });

    it("unknown metadata value type → CorruptGgufError", async () => {
      const path = join(dir, "badvalue.gguf");
      const bytes = encodeGguf({ metadata: { k: { type: "uint32", value: 7 } } });
      // header: magic(4) version(4) tensors(8) kvs(8) keylen(8) "k"(1) then the type id
      bytes.writeUInt32LE(99, 33);
      await writeFile(path, bytes);
      await assert.rejects(readGguf(path), /unknown metadata value type 99 for key "k"/);
    });

    it("absurd counts → truncation, not a huge allocation", async () => {
      const path = join(dir, "count.gguf");
      const bytes = encodeGguf({ metadata: {} });
      bytes.writeBigUInt64LE(1n << 40n, 16);
      await writeFile(path, bytes);
      await assert.rejects(readGguf(path), CorruptGgufError);
    });
  });
});
