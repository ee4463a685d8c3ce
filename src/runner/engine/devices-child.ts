// Entry of the GPU probe process: loads the libraries a model child would load, sends the GPUs ggml sees
// (with their free memory now) to the parent and exits. A separate process, as the libraries are only ever
// loaded in children (a GPU driver crash ends the probe, not the server).

import { gpuDevices, loadLlama } from "../native/index.js";

try {
  process.send?.({ devices: gpuDevices(loadLlama()) });
} catch (err) {
  process.send?.({ error: (err as Error).message });
}
process.disconnect?.();
