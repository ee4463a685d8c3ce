// Entry of the GPU probe process: loads the libraries a model child would load, sends the GPUs ggml sees
// (with their free memory now) to the parent and exits. A separate process, as the libraries are only ever
// loaded in children (a GPU driver crash ends the probe, not the server).

import { gpuDevices, loadLlama, loadLlamaLibrary } from "../native/index.js";

try {
  // Only a GPU package has GPUs: with the CPU package, nothing more to load (no CPU variant scoring).
  const gpuPackage = loadLlamaLibrary().variant !== "";
  process.send?.({ devices: gpuPackage ? gpuDevices(loadLlama()) : [] });
} catch (err) {
  process.send?.({ error: (err as Error).message });
}
process.disconnect?.();
