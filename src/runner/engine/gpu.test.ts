// The GPU path on the machine the tests run on: the probe, the header's shape, and a load with `num_gpu`
// unset. On a CPU-only machine the probe finds no GPU and the load is the CPU load it always was; on a GPU
// machine the same tests check that what the child reports is what the plan said.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readGguf } from "../../gguf/index.js";
import { model } from "../../testing/fixtures.js";
import { probeGpus } from "./devices.js";
import { SpareChild } from "./spare.js";
import { estimateMemory } from "./estimate.js";
import { EngineRunner, forkChild } from "./runner.js";
import { shapeOf } from "./shape.js";

const STORIES = model("stories260K.gguf");

describe("GPU discovery and automatic offload", () => {
  it("probes the GPUs a load would find, each with its free and total memory, in the spare child that then loads a model", async () => {
    const errors: string[] = [];
    const spare = new SpareChild(() => forkChild());
    const gpus = await probeGpus(spare, { onError: (e) => errors.push(e) });
    assert.deepEqual(errors, []);
    for (const g of gpus) {
      assert.match(g.name, /^[A-Za-z]+\d+$/);
      assert.ok(g.free >= 0 && g.free <= g.total, g.name);
    }
    // The probed child is the one the next load gets: its libraries serve that load.
    const probed = (spare as unknown as { waiting: { pid: number } }).waiting.pid;
    const runner = await EngineRunner.create({ modelPath: STORIES, numCtx: 256, numThread: 1 }, undefined, { spare });
    try {
      assert.equal(runner.pid, probed);
      let text = "";
      for await (const c of runner.complete({ prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 4 } })) if (c.type === "token") text += c.text;
      assert.ok(text.length > 0);
      // A new spare waits for the next load.
      assert.notEqual((spare as unknown as { waiting?: { pid: number } }).waiting?.pid, undefined);
    } finally {
      await runner.close();
      spare.close();
    }
  });

  it("reads a model's shape from its header: every tensor byte is a layer's, the output's or the input's", async () => {
    const g = await readGguf(STORIES);
    const shape = shapeOf(g);
    assert.equal(shape.architecture, "llama");
    assert.equal(shape.layers, 5);
    assert.equal(shape.layerBytes.length, 5);
    assert.ok(shape.layerBytes.every((b) => b > 0 && b === shape.layerBytes[0]));
    const size = (name: string) => g.tensors.find((t) => t.name === name)?.size ?? 0;
    // stories260K has its own output matrix: nothing of the output layer stays behind in RAM.
    assert.equal(shape.outputShared, 0);
    assert.equal(shape.outputBytes, size("output_norm.weight") + size("output.weight"));
    const total = g.tensors.reduce((n, t) => n + (t.size ?? 0), 0);
    assert.equal(shape.layerBytes.reduce((a, b) => a + b, 0) + shape.outputBytes + size("token_embd.weight"), total);
    assert.ok(shape.weights >= total);
  });

  it("plans a load on the probed GPUs less what loaded models hold on them", async () => {
    const opts = { modelPath: STORIES, numCtx: 256 };
    const cpu = await estimateMemory(opts);
    assert.equal(cpu.vram, 0);
    const gpu = { name: "CUDA0", description: "test GPU", free: 2 ** 30, total: 2 ** 30 };
    const whole = await estimateMemory(opts, [], { devices: [gpu] });
    assert.ok(whole.vram > 0 && whole.ram < cpu.ram);
    assert.deepEqual(Object.keys(whole.byDevice!), ["CUDA0"]);
    // Another model holds all but 100 MB of it: below CUDA's minimum, nothing more goes there.
    const full = await estimateMemory(opts, [{ ram: 0, vram: 2 ** 30 - 100e6, byDevice: { CUDA0: 2 ** 30 - 100e6 } }], { devices: [gpu] });
    assert.deepEqual(full, cpu);
    assert.equal((await estimateMemory({ ...opts, numGpu: 0 }, [], { devices: [gpu] })).vram, 0);
  });

  it("loads with num_gpu unset as planned: the reported split is the scheduler's estimate", async () => {
    const spare = new SpareChild(() => forkChild());
    const gpus = await probeGpus(spare);
    spare.close();
    const opts = { modelPath: STORIES, numCtx: 256, numThread: 1 };
    const runner = await EngineRunner.create(opts);
    try {
      // Planned on the GPUs as probed before the load (the only model on them).
      assert.deepEqual(runner.memory, await estimateMemory(opts, [], { devices: gpus }));
      if (!gpus.length) assert.equal(runner.memory.vram, 0);
    } finally {
      await runner.close();
    }
  });
});
