// The one call on the load path: the scheduler creates runners through this factory, so translation
// runs inside the load (the API's load_duration includes it) and the memory estimate sees the
// translated file.

import type { CreateRunner, EstimateMemory } from "../runner/types.js";
import type { Translator } from "./translator.js";

export function translatingRunner(
  translator: Translator,
  inner: { createRunner: CreateRunner; estimateMemory: EstimateMemory },
): { createRunner: CreateRunner; estimateMemory: EstimateMemory } {
  return {
    createRunner: async (opts, signal) => inner.createRunner(await translator.prepare(opts), signal),
    estimateMemory: async (opts, inUse) => inner.estimateMemory(await translator.prepare(opts), inUse),
  };
}
