// The GPU offload policy, one pure function: model shape + GPU devices + load options → how many layers
// llama.cpp offloads (`n_gpu_layers`), their split across devices (`tensor_split`), and the RAM/VRAM that
// placement uses. The engine child runs it at load with the devices' free memory of that moment; the
// scheduler runs it on the same header to plan (estimate.ts).
//
// Ollama's accounting (llm/memory.go EstimateGPULayers): a layer costs its tensors plus its share of the KV
// cache; every GPU that takes layers also holds the compute graph (Ollama's per-architecture GraphSize, the
// partial-offload figure unless everything is offloaded); the output layer counts as one more layer, placed
// last; a GPU joins only if its free memory holds OLLAMA_GPU_OVERHEAD, the driver's minimum (CUDA/ROCm), the
// larger graph, the projector (first GPU) and two layers; layers go round-robin over the GPUs that still
// have room. `num_gpu` ≥ 0 wins over the fit, as Ollama passes it to llama.cpp unchanged.
//
// What is reported is what llama.cpp then does with that count: it offloads the *last* n layers of
// (repeating layers + output), the output first, in contiguous runs per device by the `tensor_split`
// proportions (llama-model.cpp load_tensors).

import type { NativeDevice } from "../native/devices.js";
import type { LoadOptions, MemoryUse } from "../types.js";
import type { ModelShape } from "./shape.js";

/** A GPU as ggml reports it (native/devices.ts). */
export type GpuDevice = NativeDevice;

export type FitOptions = Pick<LoadOptions, "numCtx" | "numBatch" | "numGpu" | "mainGpu" | "numParallel" | "embedding" | "gpuOverhead"> & {
  /** Bytes of the vision projector's weights, placed on the first GPU that takes layers. */
  projectorBytes?: number;
};

export interface Placement {
  /** `n_gpu_layers`: 0 = CPU only; the output layer counts as one (layers + 1 = everything). */
  gpuLayers: number;
  /** Layers per device (in `devices` order) when several take some: llama.cpp's `tensor_split`. */
  tensorSplit?: number[];
  memory: MemoryUse;
}

const MiB = 1024 * 1024;
const F16 = 2;

/** Memory a GPU backend keeps for itself (Ollama's MinimumMemory: 457 MiB for CUDA and ROCm, none otherwise). */
export function minimumMemory(device: GpuDevice): number {
  return /^(CUDA|ROCm|HIP)/i.test(device.name) ? 457 * MiB : 0;
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

export function fitModel(shape: ModelShape, devices: readonly GpuDevice[], opts: FitOptions): Placement {
  const n = shape.layers;
  const slots = Math.max(1, opts.numParallel ?? 1);
  const context = opts.numCtx * slots;
  // An embedding context takes the whole input in one batch.
  const batch = opts.embedding ? opts.numCtx : Math.min(opts.numBatch ?? 512, opts.numCtx);
  const kvLayer = opts.embedding ? 0 : context * shape.kvWidth * F16;
  const layerSize = (i: number) => (shape.layerBytes[i] ?? 0) + kvLayer;
  const graph = graphSize(shape, context, batch, kvLayer * n);
  const gpus = opts.numGpu === 0 ? [] : opts.mainGpu !== undefined ? devices.slice(opts.mainGpu, opts.mainGpu + 1) : [...devices];
  if (gpus.length > 1) graph.full = graph.partial; // several GPUs always run the partial graph
  else if (gpus[0] && /^MTL/.test(gpus[0].name)) graph.partial = graph.full; // Metal has no partial-offload overhead

  const counts = opts.numGpu !== undefined && opts.numGpu >= 0 ? forcedCounts(n, gpus, opts.numGpu) : fitCounts(shape, gpus, opts, layerSize, graph);
  return placement(shape, gpus, counts, opts, kvLayer, graph, batch);
}

/** `num_gpu` set: that many layers (at most all of them), split as llama.cpp does by default, by free memory. */
function forcedCounts(n: number, gpus: readonly GpuDevice[], numGpu: number): number[] {
  const k = gpus.length ? Math.min(numGpu, n + 1) : 0;
  const counts = gpus.map(() => 0);
  for (const d of assignLayers(k, gpus.map((g) => g.free))) counts[d]++;
  return counts;
}

/**
 * Ollama's fit: the layers per GPU its free memory holds, less the safety margins. Layers are tried in the
 * order llama.cpp offloads them (output, then the repeating layers from the last), and the first that fits
 * nowhere ends the offload, since llama.cpp's `n_gpu_layers` always means the last n.
 */
function fitCounts(
  shape: ModelShape,
  gpus: readonly GpuDevice[],
  opts: FitOptions,
  layerSize: (i: number) => number,
  graph: { partial: number; full: number },
): number[] {
  const overhead = opts.gpuOverhead ?? 0;
  const projector = opts.projectorBytes ?? 0;
  const graphMax = Math.max(graph.partial, graph.full);
  const buffer = layerSize(0); // one layer's worth kept free on each GPU, as Ollama does
  const counts = gpus.map(() => 0);
  const used = gpus.map(() => 0);
  let room: number[] = [];
  for (let i = 0; i < gpus.length; i++) {
    const first = room.length === 0 ? projector : 0;
    if (gpus[i].free < overhead + first + graphMax + minimumMemory(gpus[i]) + 2 * buffer) continue;
    used[i] = minimumMemory(gpus[i]) + buffer + first;
    room.push(i);
  }
  const sizes = [shape.outputBytes];
  for (let i = shape.layers - 1; i >= 0; i--) sizes.push(layerSize(i));
  for (let s = 0; s < sizes.length; s++) {
    let placed = false;
    for (let j = room.length; j > 0 && !placed; j--) {
      const g = room[s % j];
      if (gpus[g].free > overhead + used[g] + graphMax + sizes[s]) {
        used[g] += sizes[s];
        counts[g]++;
        placed = true;
      } else room = room.filter((_, idx) => idx !== s % j);
    }
    if (!placed) break;
  }
  return counts;
}

/** The memory of what llama.cpp places for these per-device counts. */
function placement(
  shape: ModelShape,
  gpus: readonly GpuDevice[],
  counts: number[],
  opts: FitOptions,
  kvLayer: number,
  graph: { partial: number; full: number },
  batch: number,
): Placement {
  const n = shape.layers;
  const k = counts.reduce((a, b) => a + b, 0);
  // Host buffers: logits (n_vocab floats per output row) and the CPU side of the graph.
  const hostCompute = batch * (shape.vocab + shape.embd * 4) * 4;
  const projector = opts.projectorBytes ?? 0;
  let ram = shape.weights + kvLayer * n + hostCompute;
  if (k === 0) return { gpuLayers: 0, memory: { ram: ram + projector, vram: 0 } };

  const byDevice: Record<string, number> = {};
  const add = (d: number, bytes: number) => (byDevice[gpus[d].name] = (byDevice[gpus[d].name] ?? 0) + bytes);
  const owner = assignLayers(k, counts);
  const start = n + 1 - k;
  for (let j = 0; j < k; j++) {
    const il = start + j;
    if (il === n) {
      add(owner[j], shape.outputBytes);
      ram -= shape.outputBytes - shape.outputShared;
    } else {
      add(owner[j], (shape.layerBytes[il] ?? 0) + kvLayer);
      ram -= (shape.layerBytes[il] ?? 0) + kvLayer;
    }
  }
  const g = k >= n + 1 ? graph.full : graph.partial;
  const used = counts.map((c, d) => (c > 0 ? d : -1)).filter((d) => d >= 0);
  for (const d of used) add(d, g);
  add(used[0], projector);
  const vram = Object.values(byDevice).reduce((a, b) => a + b, 0);
  return {
    gpuLayers: k,
    tensorSplit: used.length > 1 ? counts : undefined,
    memory: { ram: Math.round(ram), vram: Math.round(vram), byDevice },
  };
}

/** The devices as a new load finds them: free memory less what loaded models already hold on each. */
export function freeAfter(devices: readonly GpuDevice[], inUse: readonly MemoryUse[]): GpuDevice[] {
  return devices.map((d) => ({ ...d, free: Math.max(0, d.free - inUse.reduce((n, m) => n + (m.byDevice?.[d.name] ?? 0), 0)) }));
}
