// Memory estimates from the GGUF header (node-llama-cpp's GgufInsights), used by the scheduler before
// loading and by the child to report what a loaded model uses. Measured within a few percent of the
// resident size with mmap off (architecture.md, engine notes).

import { stat } from "node:fs/promises";
// Types only: the server process imports node-llama-cpp (~30 MB, seconds on a busy machine) on its
// first estimate, not at startup; the child has it loaded anyway.
import type { GgufInsights, LlamaModel } from "node-llama-cpp";
import { ModelLoadError } from "../../util/errors.js";
import { Lru } from "../../util/lru.js";
import type { LoadOptions, MemoryUse } from "../types.js";

/**
 * Estimated RAM and VRAM for loading `opts` (model weights + one context). Reads only the file's
 * header, loads no weights. Without a GPU layer count (`numGpu` > 0) it assumes CPU placement.
 */
export async function estimateMemory(opts: LoadOptions, headers?: HeaderCache): Promise<MemoryUse> {
  const insights = await insightsFor(opts.modelPath, headers);
  const gpuLayers = opts.numGpu !== undefined && opts.numGpu > 0 ? Math.min(opts.numGpu, insights.totalLayers) : 0;
  const model = await insights.estimateModelResourceRequirementsV2({ gpuLayers, useMmap: opts.useMmap ?? false });
  const ctx = await insights.estimateContextResourceRequirementsV2({
    contextSize: opts.numCtx,
    modelGpuLayers: gpuLayers,
    batchSize: Math.min(opts.numBatch ?? 512, opts.numCtx),
    sequences: 1,
    isEmbeddingContext: opts.embedding === true,
  });
  return { ram: model.cpuRam + ctx.cpuRam, vram: model.gpuVram + ctx.gpuVram };
}

/**
 * Header reads, by path and file identity (blobs are content-addressed, so rarely change); owned by the
 * caller (the server keeps one for its scheduler).
 */
export type HeaderCache = Lru<string, Promise<GgufInsights>>;

export function headerCache(max = 16): HeaderCache {
  return new Lru(max);
}

async function insightsFor(path: string, cache?: HeaderCache): Promise<GgufInsights> {
  let id: string;
  try {
    const st = await stat(path);
    id = `${path}\0${st.size}\0${st.mtimeMs}`;
  } catch (err) {
    throw new ModelLoadError(`unable to read model ${path}: ${(err as Error).message}`);
  }
  const read = async () => {
    const { GgufInsights, readGgufFileInfo } = await import("node-llama-cpp");
    return GgufInsights.from(await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false }));
  };
  const pending = cache ? cache.getOrCreate(id, read) : read();
  try {
    return await pending;
  } catch (err) {
    throw new ModelLoadError(`unable to read model ${path}: ${(err as Error).message}`);
  }
}

/** What a loaded model and its context are estimated to occupy, with the placement actually chosen. */
export async function estimateLoaded(
  model: LlamaModel,
  ctx: { contextSize: number; batchSize: number; embedding: boolean },
): Promise<MemoryUse> {
  const insights = model.fileInsights;
  const weights = await insights.estimateModelResourceRequirementsV2({ gpuLayers: model.gpuLayers, useMmap: model.useMmap });
  const context = await insights.estimateContextResourceRequirementsV2({
    contextSize: ctx.contextSize,
    modelGpuLayers: model.gpuLayers,
    batchSize: ctx.batchSize,
    sequences: 1,
    isEmbeddingContext: ctx.embedding,
  });
  return { ram: weights.cpuRam + context.cpuRam, vram: weights.gpuVram + context.gpuVram };
}
