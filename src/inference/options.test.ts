import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidOptionError } from "../util/errors.js";
import { DEFAULT_SAMPLING, mergeOptions } from "./options.js";

const base = { contextLength: 0, trainedContext: 2048 };

describe("mergeOptions", () => {
  it("applies Ollama's defaults", () => {
    const m = mergeOptions(base);
    assert.equal(m.numCtx, 2048, "4096 clamped to the trained context");
    assert.equal(m.sampling.temperature, 0.8);
    assert.equal(m.sampling.topK, 40);
    assert.equal(m.sampling.topP, 0.9);
    assert.equal(m.sampling.seed, -1);
    assert.equal(m.sampling.numPredict, 20480, "-1 is bounded to 10 × num_ctx");
    assert.equal(m.sampling.stop, undefined);
    assert.deepEqual(m.load, { numCtx: 2048 });
    assert.equal(m.sampling.numKeep, 4);
  });

  it("fills every sampling field: the runner owns no defaults", () => {
    const { sampling } = mergeOptions(base);
    const { stop, ...rest } = sampling;
    assert.equal(stop, undefined);
    assert.deepEqual(Object.keys(rest).sort(), [...Object.keys(DEFAULT_SAMPLING), "numPredict"].sort());
    for (const [k, v] of Object.entries(rest)) assert.equal(typeof v, "number", k);
  });

  it("uses OLLAMA_CONTEXT_LENGTH, then Modelfile params, then request options", () => {
    const m = mergeOptions({
      contextLength: 1024,
      trainedContext: 0,
      modelParams: { temperature: 0.2, stop: ["A", "B"], num_ctx: 512 },
      requestOptions: { temperature: 0, seed: 42, num_predict: 7 },
    });
    assert.equal(m.numCtx, 512);
    assert.equal(m.sampling.temperature, 0);
    assert.equal(m.sampling.seed, 42);
    assert.equal(m.sampling.numPredict, 7);
    assert.deepEqual(m.sampling.stop, ["A", "B"]);
    assert.equal(mergeOptions({ contextLength: 1024, trainedContext: 0 }).numCtx, 1024);
  });

  it("clamps num_ctx to the trained context and to at least 4", () => {
    assert.equal(mergeOptions({ ...base, requestOptions: { num_ctx: 100000 } }).numCtx, 2048);
    assert.equal(mergeOptions({ ...base, requestOptions: { num_ctx: 1 } }).numCtx, 4);
  });

  it("bounds an over-limit num_predict", () => {
    const m = mergeOptions({ ...base, requestOptions: { num_ctx: 100, num_predict: 5000 } });
    assert.equal(m.sampling.numPredict, 1000);
  });

  it("reports unknown request options instead of failing", () => {
    const m = mergeOptions({ ...base, requestOptions: { mirostat: 2, tfs_z: 1, top_k: 3 } });
    assert.deepEqual(m.unknown, ["mirostat", "tfs_z"]);
    assert.equal(m.sampling.topK, 3);
  });

  it("passes load options through and sizes embedding batches", () => {
    const m = mergeOptions({ ...base, requestOptions: { num_thread: 1, use_mmap: false, num_gpu: 0 }, embedding: true });
    assert.deepEqual(m.load, { numCtx: 2048, numBatch: 2048, numGpu: 0, useMmap: false, numThread: 1, embedding: true });
  });

  it("a num_batch below one token is the default, not a context llama.cpp refuses", () => {
    for (const num_batch of [0, -5]) assert.equal(mergeOptions({ ...base, requestOptions: { num_batch } }).load.numBatch, undefined);
    assert.equal(mergeOptions({ ...base, requestOptions: { num_batch: 64 } }).load.numBatch, 64);
  });
});

describe("mergeOptions type handling", () => {
  const base = { contextLength: 0, trainedContext: 2048 };
  it("truncates numbers for integer options", () => {
    assert.equal(mergeOptions({ ...base, requestOptions: { top_k: 3.9 } }).sampling.topK, 3);
  });

  it("throws Ollama's message for the wrong type", () => {
    assert.throws(() => mergeOptions({ ...base, requestOptions: { num_ctx: "big" } }), (e: Error) => e instanceof InvalidOptionError && e.message === 'option "num_ctx" must be of type integer');
    assert.throws(() => mergeOptions({ ...base, requestOptions: { temperature: true } }), /option "temperature" must be of type float32/);
  });

  it("accepts a single stop string in a stored params layer", () => {
    assert.deepEqual(mergeOptions({ ...base, modelParams: { stop: "<|im_end|>" } }).sampling.stop, ["<|im_end|>"]);
  });
});
