import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { model } from "../testing/fixtures.js";
import {
  fileTypeName,
  ggmlTypeByName,
  humanNumber,
  describeGguf,
  modelInfo,
  readGguf,
  shortestFloat32,
  tensorByteSize,
  tensorsInfo,
} from "./index.js";

describe("describeGguf", () => {
  it("stories260K: llama, F32, 293K parameters (all 48 tensors, output.weight included)", async () => {
    const d = describeGguf(await readGguf(model("stories260K.gguf")));
    assert.deepEqual(d, {
      format: "gguf",
      family: "llama",
      families: ["llama"],
      parameter_size: "293K",
      quantization_level: "F32",
      context_length: 2048,
      embedding_length: 64,
      architecture: "llama",
      fileTypeName: "F32",
      parameterCount: 292800,
      kind: "model",
      vision: false,
    });
  });

  it("Q8_0 file → Q8_0 from general.file_type", async () => {
    const d = describeGguf(await readGguf(model("stories260K-Q8_0.gguf")));
    assert.equal(d.quantization_level, "Q8_0");
    assert.equal(d.parameter_size, "293K");
  });

  it("llama-2-tiny-random → F16, 513K", async () => {
    const d = describeGguf(await readGguf(model("llama-2-tiny-random.gguf")));
    assert.equal(d.quantization_level, "F16");
    assert.equal(d.parameter_size, "513K");
    assert.equal(d.context_length, 4096);
    assert.equal(d.embedding_length, 8);
  });

  it("bench model → Q4_0, 56.37M", async () => {
    const d = describeGguf(await readGguf(model("bench/synth-llama-58M-q4_0.gguf")));
    assert.equal(d.quantization_level, "Q4_0");
    assert.equal(d.parameterCount, 56369664);
    assert.equal(d.parameter_size, "56.37M");
  });

  it("bert embedding model has a pooling type", async () => {
    const d = describeGguf(await readGguf(model("synthetic/bert-embed-synthetic.gguf")));
    assert.equal(d.family, "bert");
    assert.equal(d.pooling_type, 1);
    assert.equal(d.quantization_level, "F32");
    assert.equal(d.embedding_length, 128);
    const rerank = describeGguf(await readGguf(model("synthetic/bert-rerank-synthetic.gguf")));
    assert.equal(rerank.pooling_type, 4);
  });

  it("mmproj is a clip projector", async () => {
    const d = describeGguf(await readGguf(model("mmproj-tinygemma3.gguf")));
    assert.equal(d.kind, "projector");
    assert.equal(d.family, "clip");
    assert.equal(d.quantization_level, "Q8_0");
    assert.equal(d.context_length, undefined);
  });

  it("the LoRA synthetic is an adapter", async () => {
    const d = describeGguf(await readGguf(model("synthetic/stories260K-lora-synthetic.gguf")));
    assert.equal(d.kind, "adapter");
    assert.equal(d.family, "llama");
  });
});

describe("modelInfo / tensorsInfo", () => {
  it("drops general.name and the chat template, adds parameter_count, sorts keys, elides arrays", async () => {
    const g = await readGguf(model("stories260K-chatml.gguf"));
    const info = modelInfo(g);
    assert.equal("general.name" in info, false);
    assert.equal("tokenizer.chat_template" in info, false);
    assert.equal(info["general.parameter_count"], 292800);
    assert.equal(info["tokenizer.ggml.tokens"], null);
    assert.equal(info["llama.attention.layer_norm_rms_epsilon"], 0.00001);
    assert.equal(JSON.stringify(info["llama.attention.layer_norm_rms_epsilon"]), "0.00001");
    const keys = Object.keys(info);
    assert.deepEqual(keys, [...keys].sort());
  });

  it("verbose keeps array contents, with float32 printed as Go prints them", async () => {
    const g = await readGguf(model("mmproj-tinygemma3.gguf"));
    const info = modelInfo(g, { verbose: true });
    assert.deepEqual(info["general.tags"], ["trl", "sft"]);
    const mean = info["clip.vision.image_mean"] as number[];
    assert.equal(mean.length, 3);
    for (const v of mean) assert.ok(String(v).length < 12, `short float32 ${v}`);
    assert.equal(modelInfo(g)["general.tags"], null);
  });

  it("tensorsInfo lists name, type and shape", async () => {
    const t = tensorsInfo(await readGguf(model("stories260K-Q8_0.gguf")));
    assert.equal(t.length, 48);
    const embd = t.find((x) => x.name === "token_embd.weight");
    assert.deepEqual(embd, { name: "token_embd.weight", type: "Q8_0", shape: [64, 512] });
  });
});

describe("tables and number formatting", () => {
  it("humanNumber matches Ollama's format.HumanNumber", () => {
    assert.equal(humanNumber(0), "0");
    assert.equal(humanNumber(999), "999");
    assert.equal(humanNumber(1000), "1K");
    assert.equal(humanNumber(260032), "260K");
    assert.equal(humanNumber(292800), "293K");
    assert.equal(humanNumber(260500), "260K"); // Go rounds exact ties to even
    assert.equal(humanNumber(1_000_000), "1M");
    assert.equal(humanNumber(1_234_567), "1.23M");
    assert.equal(humanNumber(8_030_261_248), "8.0B");
    assert.equal(humanNumber(7_000_000_000), "7B");
    assert.equal(humanNumber(7_615_616_512), "7.6B");
  });

  it("file type names", () => {
    assert.equal(fileTypeName(0), "F32");
    assert.equal(fileTypeName(1), "F16");
    assert.equal(fileTypeName(2), "Q4_0");
    assert.equal(fileTypeName(7), "Q8_0");
    assert.equal(fileTypeName(15), "Q4_K_M");
    assert.equal(fileTypeName(14), "Q4_K_S");
    assert.equal(fileTypeName(18), "Q6_K");
    assert.equal(fileTypeName(32), "BF16");
    assert.equal(fileTypeName(15 | 1024), "Q4_K_M");
    assert.equal(fileTypeName(999), "unknown");
  });

  it("tensor byte sizes follow ggml's block layout", () => {
    assert.equal(tensorByteSize(ggmlTypeByName("Q4_0")!.id, [4096, 2]), (4096 / 32) * 18 * 2);
    assert.equal(tensorByteSize(ggmlTypeByName("Q4_K")!.id, [4096]), 16 * 144);
    assert.equal(tensorByteSize(ggmlTypeByName("Q6_K")!.id, [256]), 210);
    assert.equal(tensorByteSize(ggmlTypeByName("BF16")!.id, [3, 3]), 18);
    assert.equal(tensorByteSize(ggmlTypeByName("MXFP4")!.id, [64]), 34);
    assert.equal(ggmlTypeByName("MXFP4")!.id, 39);
    assert.equal(tensorByteSize(31, [32]), undefined);
  });

  it("shortestFloat32", () => {
    assert.equal(shortestFloat32(Math.fround(1e-5)), 0.00001);
    assert.equal(shortestFloat32(Math.fround(0.9)), 0.9);
    assert.equal(shortestFloat32(Math.fround(1e-12)), 1e-12);
    assert.equal(shortestFloat32(10000), 10000);
  });
});
