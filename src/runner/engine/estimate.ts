// Memory a load will need, from the GGUF header alone (no weights read), placed by the GPU offload policy
// (fit.ts) on the devices given: the scheduler plans with it, and the engine child loads with the same
// placement (its `gpuLayers` and `tensorSplit`) and reports its memory.

import { stat } from "node:fs/promises";
import { readGguf } from "../../gguf/index.js";
import { ModelLoadError } from "../../util/errors.js";
import { Lru } from "../../util/lru.js";
import type { LoadOptions, MemoryUse } from "../types.js";
import { fitModel, freeAfter, type GpuDevice, type Placement } from "./fit.js";
import { shapeOf, type ModelShape } from "./shape.js";

/** Header reads, cached per path and file identity by the caller (the scheduler's owner, bounded). */
export type HeaderCache = Lru<string, Promise<ModelShape>>;

export function headerCache(max = 16): HeaderCache {
  return new Lru(max);
}

async function sizeOf(path: string): Promise<{ id: string; size: number }> {
  try {
    const st = await stat(path);
    return { id: `${path}\0${st.size}\0${st.mtimeMs}`, size: st.size };
  } catch (err) {
    throw new ModelLoadError(`unable to read model ${path}: ${(err as Error).message}`);
  }
}

/** Where `opts` puts the model on `devices` (no GPU: everything in RAM), and what that uses. */
export async function planLoad(opts: LoadOptions, devices: readonly GpuDevice[], headers: HeaderCache = headerCache(1)): Promise<Placement> {
  const { id } = await sizeOf(opts.modelPath);
  // The projector's file is nearly all weights; mtmd puts them on the GPU the model uses.
  const projectorBytes = opts.projectorPath ? (await sizeOf(opts.projectorPath)).size : 0;
  const pending = headers.getOrCreate(id, () => readGguf(opts.modelPath, { validate: false }).then(shapeOf));
  try {
    return fitModel(await pending, devices, { ...opts, projectorBytes });
  } catch (err) {
    throw new ModelLoadError(`unable to read model ${opts.modelPath}: ${(err as Error).message}`);
  }
}

/**
 * The scheduler's plan (an `EstimateMemory`): `devices` as probed (devices.ts), less the memory of the
 * models in use; none means a CPU placement.
 */
export async function estimateMemory(
  opts: LoadOptions,
  inUse: readonly MemoryUse[] = [],
  env: { headers?: HeaderCache; devices?: readonly GpuDevice[] } = {},
): Promise<MemoryUse> {
  return (await planLoad(opts, freeAfter(env.devices ?? [], inUse), env.headers)).memory;
}
