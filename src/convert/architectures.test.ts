// Every architecture converts a tiny random checkpoint with a real tokenizer into a GGUF llama.cpp loads
// and runs, and the converted tokenizers give the token ids llama.cpp's own vocab tests expect.

import assert from "node:assert/strict";
import { createWriteStream, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, describe, it } from "node:test";
import { readGguf } from "../gguf/index.js";
import { collect } from "../runner/testing/contract.js";
import { createEngineRunner } from "../runner/index.js";
import { tempDir } from "../testing/fixtures.js";
import { convertedBytes, planModel, SourceFiles } from "./index.js";
import { type TinyModel, type VocabName, vocabCases, writeTinyModel } from "./testing.js";

function listFiles(dir: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) Object.assign(out, listFiles(p, `${prefix}${f}/`));
    else out[`${prefix}${f}`] = p;
  }
  return out;
}

const tmp = tempDir("herd-convert-arch-");
after(() => tmp.cleanup());

async function convertTiny(m: TinyModel, label: string): Promise<string> {
  const dir = join(tmp.dir, label);
  await writeTinyModel(dir, m);
  const out = join(tmp.dir, `${label}.gguf`);
  await pipeline(Readable.from(convertedBytes(await planModel(SourceFiles.of(listFiles(dir))))), createWriteStream(out));
  return out;
}

const CASES: { label: string; model: TinyModel; arch: string; tensors: string[]; vocabTest?: VocabName }[] = [
  { label: "llama-spm", model: { architecture: "LlamaForCausalLM", vocab: "llama-spm" }, arch: "llama", tensors: ["blk.0.attn_q.weight", "blk.0.ffn_gate.weight"], vocabTest: "llama-spm" },
  { label: "llama-bpe", model: { architecture: "LlamaForCausalLM", vocab: "llama-bpe", dtype: "BF16" }, arch: "llama", tensors: ["blk.0.attn_k.weight"], vocabTest: "llama-bpe" },
  { label: "mistral", model: { architecture: "MistralForCausalLM", vocab: "llama-spm" }, arch: "llama", tensors: ["blk.0.attn_v.weight"] },
  { label: "qwen2", model: { architecture: "Qwen2ForCausalLM", vocab: "qwen2" }, arch: "qwen2", tensors: ["blk.0.attn_q.bias"], vocabTest: "qwen2" },
  { label: "qwen3", model: { architecture: "Qwen3ForCausalLM", vocab: "qwen2", dtype: "BF16" }, arch: "qwen3", tensors: ["blk.0.attn_q_norm.weight"] },
  { label: "gemma2", model: { architecture: "Gemma2ForCausalLM", vocab: "llama-spm", extraConfig: { attn_logit_softcapping: 50, final_logit_softcapping: 30 } }, arch: "gemma2", tensors: ["blk.0.post_ffw_norm.weight"] },
  { label: "gemma3", model: { architecture: "Gemma3ForCausalLM", vocab: "llama-spm", extraConfig: { sliding_window_pattern: 6 } }, arch: "gemma3", tensors: ["blk.0.attn_k_norm.weight"] },
  { label: "phi3", model: { architecture: "Phi3ForCausalLM", vocab: "phi-3", dtype: "F32" }, arch: "phi3", tensors: ["blk.0.attn_qkv.weight", "output.weight"], vocabTest: "phi-3" },
  { label: "bert", model: { architecture: "BertModel", vocab: "bert-bge" }, arch: "bert", tensors: ["token_types.weight", "blk.0.layer_output_norm.bias"], vocabTest: "bert-bge" },
];

for (const c of CASES) {
  describe(`convert ${c.model.architecture} (${c.label})`, () => {
    it("writes llama.cpp's names and types, loads and runs, and tokenizes as llama.cpp's tests expect", async () => {
      const path = await convertTiny(c.model, c.label);
      const g = await readGguf(path);
      assert.equal(g.metadata["general.architecture"], c.arch);
      const names = g.tensors.map((t) => t.name);
      for (const n of c.tensors) assert.ok(names.includes(n), `${n} in ${names.join(",")}`);
      // Ollama's rule: 1-D and biases F32, token types F32, the rest F16, or BF16 when the source is BF16.
      const big = c.model.dtype === "BF16" ? 30 : 1;
      for (const t of g.tensors) {
        const f32 = t.dims.length === 1 || t.name.endsWith(".bias") || t.name === "token_types.weight";
        assert.equal(t.type, f32 ? 0 : big, `${t.name} type`);
      }

      const embedding = c.arch === "bert";
      const runner = await createEngineRunner({ modelPath: path, numCtx: 128, numGpu: 0, embedding });
      try {
        if (embedding) {
          const r = await runner.embed(["hello world"]);
          assert.equal(r.embeddings[0]!.length, 64);
          assert.ok(r.embeddings[0]!.every(Number.isFinite));
        } else {
          const { chunks, done } = await collect(runner, { prompt: "Hello", sampling: { temperature: 0, numPredict: 4 } });
          assert.equal(done.reason, "length");
          assert.equal(chunks.flatMap((x) => (x.type === "token" ? x.tokens : [])).length, 4);
        }
        if (c.vocabTest) {
          const failures: string[] = [];
          for (const { text, ids } of vocabCases(c.vocabTest)) {
            const got = await runner.tokenize(text, { addSpecial: false, parseSpecial: false });
            if (JSON.stringify(got) !== JSON.stringify(ids)) failures.push(`${JSON.stringify(text)}: ${got} ≠ ${ids}`);
          }
          assert.deepEqual(failures, []);
        }
      } finally {
        await runner.close();
      }
    });
  });
}
