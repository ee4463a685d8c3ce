// The GPU offload policy, one pure function: model shape + GPU devices + load options → how many layers
// llama.cpp offloads (`n_gpu_layers`), their split across devices (`tensor_split`), and the RAM/VRAM that
// placement uses. The engine child runs it at load with the devices' free memory of that moment; the
// scheduler runs it on the same header to plan (estimate.ts).
//
// Ollama's accounting (llm/memory.go EstimateGPULayers): a layer costs its tensors plus its share of the KV
// cache; the output layer counts as one more; every GPU that takes layers holds the compute graph (Ollama's
// per-architecture GraphSize: partial offload, or full when one GPU holds everything); a GPU keeps free
// OLLAMA_GPU_OVERHEAD, the backend's minimum (CUDA, ROCm, Metal), one layer's worth as a buffer and the
// larger graph, and joins only if a layer (and the projector, on the first) still fits. `num_gpu` ≥ 0 wins
// over the fit, as Ollama passes it to llama.cpp unchanged.
//
// The layers counted are the ones llama.cpp then loads: `n_gpu_layers` = n offloads the *last* n of
// (repeating layers + output), in contiguous runs per GPU by the `tensor_split` proportions (llama-model.cpp
// load_tensors), so the fit checks and reports the bytes of exactly that placement (`deviceBytes`). Ollama
// deals layers round-robin and lets llama.cpp place them otherwise; herd counts what is placed.

import { KV_CACHE_TYPES, kvCacheFor } from "../kv-cache.js";
import type { NativeDevice } from "../native/devices.js";
import type { LoadOptions, MemoryUse } from "../types.js";
import type { ModelShape } from "./shape.js";

/** A GPU as ggml reports it (native/devices.ts). */
export type GpuDevice = NativeDevice;

export type FitOptions = Pick<LoadOptions, "numCtx" | "numBatch" | "numGpu" | "mainGpu" | "numParallel" | "embedding" | "gpuOverhead" | "kvCacheType"> & {
  /** Bytes of the vision projector's weights, placed on the first GPU that takes layers. */
  projectorBytes?: number;
};

export interface Placement {
  /** `n_gpu_layers`: 0 = CPU only; the output layer counts as one (layers + 1 = everything). */
  gpuLayers: number;
  /** With several GPUs, the layers of each (in `devices` order, zeros included): llama.cpp's `tensor_split`. */
  tensorSplit?: number[];
  memory: MemoryUse;
}

const MiB = 1024 * 1024;

/** Memory a GPU backend keeps for itself (Ollama's MinimumMemory: 457 MiB for CUDA and ROCm, 512 MiB for Metal, none otherwise). */
export function minimumMemory(device: GpuDevice): number {
  if (/^(CUDA|ROCm|HIP)/i.test(device.name)) return 457 * MiB;
  return /^(MTL|Metal)/i.test(device.name) ? 512 * MiB : 0;
}

/** The compute graph a GPU holds, partial and full offload (Ollama's GraphSize, by architecture). */
export function graphSize(shape: ModelShape, context: number, batch: number, kvTotal: number): { partial: number; full: number } {
  const e = shape.embd;
  const h = shape.heads;
  const hkv = shape.headsKv;
  const v = shape.vocab;
  const hd = h > 0 ? Math.floor(e / h) : 0;
  const hk = shape.headDim;
  const vocabGraph = 4 * batch * (e + v);
  const vocabWeights = Math.floor((e * v * 105) / 128);
  const attn = context * (1 + h);
  switch (shape.architecture) {
    case "llama":
    case "llama4":
      return {
        full: Math.max(4 * batch * (1 + 4 * e + attn), vocabGraph),
        partial:
          4 * batch * e +
          Math.max(4 * batch * (1 + e + Math.max(context, e)) + Math.floor((e * e * 9) / 16) + 4 * context * (batch * h + hd * hkv), vocabGraph + vocabWeights),
      };
    case "qwen2":
      return {
        full: Math.max(vocabGraph, 4 * batch * (1 + 2 * e + context + context * h)),
        partial: Math.max(vocabGraph + vocabWeights, 4 * (batch * (1 + 2 * e + attn) + e * (1 + context))),
      };
    case "gemma":
    case "gemma2":
    case "gemma3":
    case "gemma3n": {
      const full = Math.max(vocabGraph, 4 * batch * (2 + context + context * h + 2 * e + 2 * hk * h));
      const partial = Math.max(
        4 * e * batch + vocabWeights + 4 * v * batch,
        4 * batch * (2 * e + 1 + 2 * hk * h + context + context * h) + 4 * hk * context * 8 + Math.floor((e * hk * h * 9) / 16),
      );
      const k = shape.architecture === "gemma3n" ? 4 : 1;
      return { full: full * k, partial: partial * k };
    }
    case "command-r":
      return {
        full: Math.max(vocabGraph, 4 * batch * (2 + 4 * e + attn)),
        partial: Math.max(vocabGraph + vocabWeights, 4 * batch * (1 + 2 * e + attn) + 4 * e * context + Math.floor((e * e * 9) / 16)),
      };
    case "phi2":
      return {
        full: Math.max(vocabGraph, 4 * batch * (1 + 4 * e + context + context * h)),
        partial: Math.max(4 * batch * (2 * e + v) + vocabWeights, 4 * batch * (2 + 3 * e + context + context * h)),
      };
    default: {
      // Ollama's fallback for architectures without a formula: a sixth of the KV cache, times the GQA ratio.
      const gqa = hkv > 0 ? Math.floor(h / hkv) : 1;
      const partial = Math.floor((gqa * kvTotal) / 6);
      return { partial, full: partial };
    }
  }
}

/** The device of each offloaded layer: llama.cpp's contiguous runs by cumulative `weights` proportions. */
export function assignLayers(count: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  const bounds = weights.map((w) => (acc += w) / sum);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = i / count;
    const d = bounds.findIndex((b) => b > x);
    out.push(d === -1 ? weights.length - 1 : d);
  }
  return out;
}

/** What a model costs per layer and for its graph under given options. */
interface Costs {
  shape: ModelShape;
  kvLayer: number;
  graph: { partial: number; full: number };
  projector: number;
  metal: boolean;
}

/**
 * Bytes on each GPU when llama.cpp offloads the last `k` = Σ counts of (layers + output) by these per-GPU
 * counts: its layers' tensors and KV cache, the output on the last GPU used, the compute graph on every GPU
 * used (`graph`: a fixed reserve, or the graph that placement runs: full when one GPU holds everything, as
 * on Metal always), the projector on the first.
 */
function deviceBytes(c: Costs, counts: readonly number[], graph?: number): number[] {
  const n = c.shape.layers;
  const k = counts.reduce((a, b) => a + b, 0);
  const bytes = counts.map(() => 0);
  if (k === 0) return bytes;
  const owner = assignLayers(k, counts);
  for (let j = 0; j < k; j++) {
    const il = n + 1 - k + j;
    bytes[owner[j]] += il === n ? c.shape.outputBytes : (c.shape.layerBytes[il] ?? 0) + c.kvLayer;
  }
  const used = counts.map((_, d) => d).filter((d) => counts[d] > 0);
  const g = graph ?? ((k === n + 1 && used.length === 1) || c.metal ? c.graph.full : c.graph.partial);
  for (const d of used) bytes[d] += g;
  bytes[used[0]] += c.projector;
  return bytes;
}

export function fitModel(shape: ModelShape, devices: readonly GpuDevice[], opts: FitOptions): Placement {
  const n = shape.layers;
  const context = opts.numCtx * Math.max(1, opts.numParallel ?? 1);
  // An embedding context takes the whole input in one batch.
  const batch = opts.embedding ? opts.numCtx : Math.min(opts.numBatch ?? 512, opts.numCtx);
  const kvBytes = KV_CACHE_TYPES[kvCacheFor(opts.kvCacheType, shape.headDim, shape.headDimV)].bytesPerElement;
  const kvLayer = opts.embedding ? 0 : Math.ceil(context * shape.kvWidth * kvBytes);
  const gpus = opts.numGpu === 0 ? [] : opts.mainGpu !== undefined ? devices.slice(opts.mainGpu, opts.mainGpu + 1) : [...devices];
  const c: Costs = { shape, kvLayer, graph: graphSize(shape, context, batch, kvLayer * n), projector: opts.projectorBytes ?? 0, metal: /^(MTL|Metal)/i.test(gpus[0]?.name ?? "") };
  const counts = opts.numGpu !== undefined && opts.numGpu >= 0 ? forcedCounts(n, gpus, opts.numGpu) : fitCounts(c, gpus, opts.gpuOverhead ?? 0);

  const k = counts.reduce((a, b) => a + b, 0);
  // Host compute buffers. On the CPU: the batch's logits (n_vocab floats a row) and activations. With the
  // output on a GPU (any offload puts it there first) the logits are computed there: the host keeps the
  // batch's activations and one row of logits.
  const hostCompute = k > 0 ? batch * shape.embd * 4 * 4 + shape.vocab * 4 : batch * (shape.vocab + shape.embd * 4) * 4;
  const cpu = shape.weights + kvLayer * n + hostCompute;
  if (k === 0) return { gpuLayers: 0, memory: { ram: cpu + c.projector, vram: 0 } };
  // What leaves RAM: the offloaded layers with their KV cache, and the output unless it shares token_embd.
  let moved = 0;
  for (let il = n + 1 - k; il <= n; il++) moved += il === n ? shape.outputBytes - shape.outputShared : (shape.layerBytes[il] ?? 0) + kvLayer;
  const bytes = deviceBytes(c, counts);
  const byDevice: Record<string, number> = {};
  gpus.forEach((g, d) => bytes[d] > 0 && (byDevice[g.name] = bytes[d]));
  return {
    gpuLayers: k,
    // With several GPUs the split is always given: llama.cpp's default would spread by free memory.
    tensorSplit: gpus.length > 1 ? counts : undefined,
    memory: { ram: Math.round(cpu - moved), vram: Math.round(bytes.reduce((a, b) => a + b, 0)), byDevice },
  };
}

/** `num_gpu` set: that many layers (at most all of them), split as llama.cpp does by default, by free memory. */
function forcedCounts(n: number, gpus: readonly GpuDevice[], numGpu: number): number[] {
  const k = gpus.length ? Math.min(numGpu, n + 1) : 0;
  const counts = gpus.map(() => 0);
  for (const d of assignLayers(k, gpus.map((g) => g.free))) counts[d]++;
  return counts;
}

/** `k` layers over GPUs in proportion to `room` (largest remainders), as whole layers. */
function split(k: number, room: readonly number[]): number[] {
  const sum = room.reduce((a, b) => a + b, 0);
  const exact = room.map((r) => (sum > 0 ? (k * r) / sum : 0));
  const counts = exact.map(Math.floor);
  const order = exact.map((e, d) => [e - Math.floor(e), d] as const).sort((a, b) => b[0] - a[0]);
  for (let i = 0, left = k - counts.reduce((a, b) => a + b, 0); left > 0; i++, left--) counts[order[i][1]]++;
  return counts;
}

/**
 * Ollama's fit: the most layers the GPUs hold with its margins kept free on each: OLLAMA_GPU_OVERHEAD, the
 * backend's minimum, one layer's worth as a buffer, and the larger of the two graphs reserved. A GPU
 * joins only if that leaves room for a layer (and the projector, on the first). One GPU that holds the
 * whole model takes it alone, the one with the most free memory (Ollama's scheduler prefers a single-GPU
 * fit); otherwise the layers spread over the GPUs with room, in proportion to it.
 */
function fitCounts(c: Costs, gpus: readonly GpuDevice[], overhead: number): number[] {
  const n = c.shape.layers;
  const layer0 = (c.shape.layerBytes[0] ?? 0) + c.kvLayer;
  const reserve = Math.max(c.graph.partial, c.graph.full);
  const budget = gpus.map((g) => g.free - overhead - minimumMemory(g) - layer0);
  const eligible: number[] = [];
  for (let d = 0; d < gpus.length; d++) if (budget[d] >= reserve + layer0 + (eligible.length ? 0 : c.projector)) eligible.push(d);
  const fits = (counts: number[]) => deviceBytes(c, counts, reserve).every((b, d) => b <= budget[d]);
  if (!eligible.length) return gpus.map(() => 0);
  const only = (d: number, k: number) => gpus.map((_, i) => (i === d ? k : 0));
  for (const d of [...eligible].sort((a, b) => gpus[b].free - gpus[a].free)) if (fits(only(d, n + 1))) return only(d, n + 1);
  const room = gpus.map((_, d) => (eligible.includes(d) ? Math.max(0, budget[d] - reserve) : 0));
  for (let k = n + 1; k > 0; k--) {
    const counts = split(k, room);
    if (fits(counts)) return counts;
  }
  return gpus.map(() => 0);
}

/** The devices as a new load finds them: free memory less what loaded models already hold on each. */
export function freeAfter(devices: readonly GpuDevice[], inUse: readonly MemoryUse[]): GpuDevice[] {
  return devices.map((d) => ({ ...d, free: Math.max(0, d.free - inUse.reduce((n, m) => n + (m.byDevice?.[d.name] ?? 0), 0)) }));
}
