// The GPUs a model load would find, for the scheduler's plans (the load itself asks ggml again, in its own
// child). Probed once, as Ollama discovers GPUs once at startup, by the server's spare engine child (spare.ts):
// the libraries are only ever loaded in children (a GPU driver crash ends that child, not the server), and
// asking the child that waits for the first load costs no Node start of its own. The free memory of that
// moment, less what loaded models hold (`freeAfter`), is what a new load can use.

import type { GpuDevice } from "./fit.js";
import type { SpareChild } from "./spare.js";

/** Longer than any driver's initialization; a probe still running by then counts as no GPU. */
const PROBE_TIMEOUT_MS = 60_000;

/** The GPUs of the libraries a model child loads; [] when there are none or the probe fails (`onError` says why). */
export async function probeGpus(spare: SpareChild, opts: { onError?: (message: string) => void } = {}): Promise<GpuDevice[]> {
  try {
    return await spare.probe(PROBE_TIMEOUT_MS);
  } catch (err) {
    opts.onError?.((err as Error).message);
    return [];
  }
}
