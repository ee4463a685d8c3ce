// The KV cache types of OLLAMA_KV_CACHE_TYPE on the real engine: what a quantized cache saves, and the f16
// fallback for a model whose attention heads its blocks do not divide.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { model } from "../../testing/fixtures.js";
import { collect } from "../testing/contract.js";
import { EngineRunner } from "./runner.js";

const STORIES = model("stories260K.gguf");
// One thread: the suites share a 2-core machine with other test files.
const BASE = { numGpu: 0, numThread: 1 } as const;

describe("engine runner KV cache types (OLLAMA_KV_CACHE_TYPE)", () => {
  const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

  it("a q8_0 cache with flash attention on takes about half the memory of f16 and generates", { skip: process.platform !== "linux" && "reads /proc" }, async () => {
    // synth-58M: 64-wide heads; 8 layers × 8192 positions × 512 key and value values: 64 MiB in f16, 34 in q8_0.
    const opts = { modelPath: model("bench/synth-llama-58M-q4_0.gguf"), numCtx: 8192, flashAttention: "on", ...BASE } as const;
    const [f16, q8] = await Promise.all([EngineRunner.create({ ...opts, kvCacheType: "f16" }), EngineRunner.create({ ...opts, kvCacheType: "q8_0" })]);
    try {
      assert.equal(f16.kvCacheType, "f16");
      assert.equal(q8.kvCacheType, "q8_0");
      const saved = rssMiB(f16.pid!) - rssMiB(q8.pid!);
      assert.ok(saved > 20 && saved < 45, `f16 − q8_0 resident: ${saved.toFixed(1)} MiB (expected ~30)`);
      const { text } = await collect(q8, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 8 } });
      assert.ok(text.length > 0);
    } finally {
      await Promise.all([f16.close(), q8.close()]);
    }
  });

  it("a model whose heads its blocks do not divide gets f16 and a warning, not a failed load", async () => {
    const logs: string[] = [];
    const runner = await EngineRunner.create({ modelPath: STORIES, numCtx: 256, flashAttention: "on", kvCacheType: "q8_0", ...BASE }, undefined, {
      onLog: (level, message) => logs.push(`${level}: ${message}`),
    });
    try {
      assert.equal(runner.kvCacheType, "f16");
      assert.ok(logs.some((l) => /^warn: KV cache type q8_0 does not fit this model \(.*does not divide n_embd_head_k=8.*\); using f16$/.test(l)), logs.join("\n"));
      // llama.cpp's refusal is quoted in the warning, not logged as an error of a load that went on.
      assert.ok(!logs.some((l) => l.startsWith("error:")), logs.join("\n"));
      const { text } = await collect(runner, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 4 } });
      assert.ok(text.startsWith(", there"));
    } finally {
      await runner.close();
    }
  });
});
