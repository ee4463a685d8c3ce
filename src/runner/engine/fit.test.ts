import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assignLayers, fitModel, freeAfter, graphSize, minimumMemory, type GpuDevice } from "./fit.js";
import type { ModelShape } from "./shape.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A Llama-3-8B-like Q4 model: 32 layers of 200 MiB, 8 KV heads of 128, a 250 MiB output and a 250 MiB token_embd. */
const shape: ModelShape = {
  architecture: "llama",
  weights: 32 * 200 * MiB + 250 * MiB + 250 * MiB,
  layers: 32,
  layerBytes: new Array(32).fill(200 * MiB),
  outputBytes: 250 * MiB,
  outputShared: 0,
  kvWidth: 8 * (128 + 128),
  embd: 4096,
  vocab: 128256,
  heads: 32,
  headsKv: 8,
  headDim: 128,
  headDimV: 128,
};
const opts = { numCtx: 4096 };
const kvLayer = 4096 * 2048 * 2; // f16 keys and values per layer: 16 MiB
const cuda = (i: number, free: number): GpuDevice => ({ name: `CUDA${i}`, description: "test GPU", free, total: free });
const hostCompute = 512 * (shape.vocab + shape.embd * 4) * 4; // logits and activations of a batch on the CPU
const hostGpu = 512 * shape.embd * 4 * 4 + shape.vocab * 4; // activations and one row of logits, with the output on a GPU

/** Every device holds what the fit put there, with Ollama's margins left free. */
function assertFits(devices: GpuDevice[], byDevice: Record<string, number> | undefined, overhead = 0): void {
  for (const d of devices) assert.ok((byDevice?.[d.name] ?? 0) <= d.free - overhead - minimumMemory(d), `${d.name} overfilled`);
}

describe("GPU fit policy", () => {
  it("without a GPU everything stays in RAM", () => {
    const p = fitModel(shape, [], opts);
    assert.equal(p.gpuLayers, 0);
    assert.equal(p.tensorSplit, undefined);
    assert.deepEqual(p.memory, { ram: shape.weights + 32 * kvLayer + hostCompute, vram: 0 });
  });

  it("counts a quantized KV cache at its size, and f16 for heads its blocks do not divide", () => {
    const ram = (kvCacheType: "f16" | "q8_0" | "q4_0", s: ModelShape = shape) => fitModel(s, [], { ...opts, kvCacheType }).memory.ram - s.weights - hostCompute;
    assert.equal(ram("f16"), 32 * kvLayer);
    assert.equal(ram("q8_0"), 32 * ((kvLayer / 2) * (34 / 32)));
    assert.equal(ram("q4_0"), 32 * ((kvLayer / 2) * (18 / 32)));
    // 8-wide heads (stories260K's) take no 32-value blocks: llama.cpp keeps such a model on f16.
    const narrow = { ...shape, headDim: 8, headDimV: 8, kvWidth: 8 * 16 };
    assert.equal(ram("q8_0", narrow), ram("f16", narrow));
  });

  it("a GPU that holds everything gets every layer and the output", () => {
    const gpu = cuda(0, 24 * GiB);
    const p = fitModel(shape, [gpu], opts);
    assert.equal(p.gpuLayers, 33);
    assert.equal(p.tensorSplit, undefined);
    const graph = graphSize(shape, 4096, 512, 32 * kvLayer).full;
    assert.equal(p.memory.vram, 32 * (200 * MiB + kvLayer) + 250 * MiB + graph);
    assert.deepEqual(p.memory.byDevice, { CUDA0: p.memory.vram });
    // Only token_embd (the input layer, always on the CPU) and the host buffers stay in RAM.
    assert.equal(p.memory.ram, 250 * MiB + hostGpu);
  });

  it("a GPU that holds half gets the output and the last layers, the rest stays in RAM", () => {
    const gpu = cuda(0, 4 * GiB);
    const p = fitModel(shape, [gpu], opts);
    assert.ok(p.gpuLayers > 8 && p.gpuLayers < 24, String(p.gpuLayers));
    assertFits([gpu], p.memory.byDevice);
    const onCpu = 33 - p.gpuLayers; // repeating layers left on the CPU
    assert.equal(p.memory.ram, 250 * MiB + onCpu * (200 * MiB + kvLayer) + hostGpu);
    const graph = graphSize(shape, 4096, 512, 32 * kvLayer).partial;
    assert.equal(p.memory.vram, 250 * MiB + (p.gpuLayers - 1) * (200 * MiB + kvLayer) + graph);
    // One layer less would leave a layer's worth unused; one more would not fit.
    const more = fitModel(shape, [cuda(0, 4 * GiB + 300 * MiB)], opts);
    assert.ok(more.gpuLayers > p.gpuLayers);
  });

  it("a GPU too small for the margins, the graph and two layers gets nothing", () => {
    const gpu = cuda(0, 900 * MiB); // CUDA keeps 457 MiB; the graph and two layers do not fit beside it
    const p = fitModel(shape, [gpu], opts);
    assert.equal(p.gpuLayers, 0);
    assert.deepEqual(p.memory, fitModel(shape, [], opts).memory);
  });

  it("two GPUs share the layers, each with its own graph, and the counts become the tensor split", () => {
    const gpus = [cuda(0, 3 * GiB), cuda(1, 3 * GiB)];
    const p = fitModel(shape, gpus, opts);
    assert.ok(p.tensorSplit, "split given to llama.cpp");
    assert.equal(p.tensorSplit.length, 2);
    assert.ok(p.tensorSplit[0] > 0 && p.tensorSplit[1] > 0);
    assert.equal(p.tensorSplit[0] + p.tensorSplit[1], p.gpuLayers);
    assert.ok(p.gpuLayers > fitModel(shape, [gpus[0]], opts).gpuLayers, "two hold more than one");
    assertFits(gpus, p.memory.byDevice);
    assert.equal(p.memory.vram, p.memory.byDevice!.CUDA0 + p.memory.byDevice!.CUDA1);
    // Uneven GPUs take layers in proportion to their room; one with no room for a layer takes none.
    const uneven = [cuda(0, 3 * GiB), cuda(1, 5 * GiB)];
    const u = fitModel(shape, uneven, opts);
    assert.ok(u.tensorSplit![1] > u.tensorSplit![0] && u.tensorSplit![0] > 0);
    assertFits(uneven, u.memory.byDevice);
    const tiny = fitModel(shape, [cuda(0, 900 * MiB), cuda(1, 4 * GiB)], opts);
    assert.deepEqual(tiny.tensorSplit, [0, fitModel(shape, [cuda(1, 4 * GiB)], opts).gpuLayers]);
    // One that holds everything takes it alone, the other GPU stays free.
    const alone = fitModel(shape, [cuda(0, 4 * GiB), cuda(1, 24 * GiB)], opts);
    assert.deepEqual(alone.tensorSplit, [0, 33]);
    assert.deepEqual(Object.keys(alone.memory.byDevice!), ["CUDA1"]);
    assert.equal(alone.memory.vram, fitModel(shape, [cuda(1, 24 * GiB)], opts).memory.vram);
    // main_gpu pins the model to one of them.
    const pinned = fitModel(shape, gpus, { ...opts, mainGpu: 1 });
    assert.equal(pinned.tensorSplit, undefined);
    assert.deepEqual(Object.keys(pinned.memory.byDevice!), ["CUDA1"]);
  });

  it("num_gpu wins over the fit", () => {
    const small = cuda(0, 2 * GiB);
    assert.equal(fitModel(shape, [small], { ...opts, numGpu: 20 }).gpuLayers, 20, "more than fits, as asked");
    assert.equal(fitModel(shape, [cuda(0, 24 * GiB)], { ...opts, numGpu: 0 }).gpuLayers, 0);
    assert.equal(fitModel(shape, [cuda(0, 24 * GiB)], { ...opts, numGpu: 5 }).gpuLayers, 5);
    assert.equal(fitModel(shape, [cuda(0, 24 * GiB)], { ...opts, numGpu: 999 }).gpuLayers, 33);
    assert.equal(fitModel(shape, [], { ...opts, numGpu: 10 }).gpuLayers, 0, "no GPU: nothing to offload to");
    // Split across two GPUs as llama.cpp does without a tensor split: by free memory.
    const two = fitModel(shape, [cuda(0, 8 * GiB), cuda(1, 24 * GiB)], { ...opts, numGpu: 8 });
    assert.deepEqual(two.tensorSplit, [2, 6]);
  });

  it("a huge context leaves fewer layers on the GPU and its KV cache in RAM", () => {
    const gpu = cuda(0, 24 * GiB);
    const huge = { numCtx: 131072 };
    const p = fitModel(shape, [gpu], huge);
    const kv = 131072 * 2048 * 2; // 512 MiB a layer
    assert.ok(p.gpuLayers > 0 && p.gpuLayers < 33, String(p.gpuLayers));
    assertFits([gpu], p.memory.byDevice);
    assert.equal(p.memory.ram, 250 * MiB + (33 - p.gpuLayers) * (200 * MiB + kv) + hostGpu);
    // Parallel slots multiply the context the same way.
    assert.ok(fitModel(shape, [gpu], { numCtx: 32768, numParallel: 4 }).gpuLayers === p.gpuLayers);
  });

  it("OLLAMA_GPU_OVERHEAD is kept free on every GPU", () => {
    const gpu = cuda(0, 6 * GiB);
    const plain = fitModel(shape, [gpu], opts);
    const reserved = fitModel(shape, [gpu], { ...opts, gpuOverhead: 2 * GiB });
    assert.ok(reserved.gpuLayers < plain.gpuLayers);
    assertFits([gpu], reserved.memory.byDevice, 2 * GiB);
  });

  it("a tied output keeps token_embd in RAM and puts its copy on the GPU", () => {
    const tied = { ...shape, weights: shape.weights - 250 * MiB, outputShared: 250 * MiB };
    const p = fitModel(tied, [cuda(0, 24 * GiB)], opts);
    assert.equal(p.gpuLayers, 33);
    assert.equal(p.memory.ram, 250 * MiB + hostGpu);
  });

  it("the projector goes on the first GPU", () => {
    const gpus = [cuda(0, 24 * GiB)];
    const p = fitModel(shape, gpus, { ...opts, projectorBytes: 600 * MiB });
    assert.equal(p.memory.vram, fitModel(shape, gpus, opts).memory.vram + 600 * MiB);
    assert.equal(fitModel(shape, [], { ...opts, projectorBytes: 600 * MiB }).memory.ram, fitModel(shape, [], opts).memory.ram + 600 * MiB);
  });

  it("a new load sees the GPUs less what loaded models hold", () => {
    const gpus = [cuda(0, 10 * GiB), cuda(1, 10 * GiB)];
    const left = freeAfter(gpus, [{ ram: 0, vram: 3 * GiB, byDevice: { CUDA1: 3 * GiB } }, { ram: 1, vram: 0 }]);
    assert.deepEqual(
      left.map((d) => d.free),
      [10 * GiB, 7 * GiB],
    );
  });

  it("assigns offloaded layers in contiguous runs by proportion, as llama.cpp does", () => {
    assert.deepEqual(assignLayers(4, [1, 1]), [0, 0, 1, 1]);
    assert.deepEqual(assignLayers(5, [3, 2]), [0, 0, 0, 1, 1]);
    assert.deepEqual(assignLayers(3, [1]), [0, 0, 0]);
  });
});
