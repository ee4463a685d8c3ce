// Thread policy. Measured on the 2-core x86-64 build machines (node-llama-cpp 3.21.1 prebuilt CPU
// binaries, which spawn a fresh thread pool per decode and spin at barriers):
//   stories260K        1 thread: prompt 3.8–4.1k tok/s, generation 980–1050 tok/s
//                      2 threads: prompt 4.7–4.9k tok/s, generation 60–72 tok/s
//   synth-llama-58M q4 1 thread: prompt 1.5–1.8k tok/s, generation 450–465 tok/s
//                      2 threads: prompt 1.6–2.2k tok/s, generation 62–142 tok/s
// A second thread gains at most ~1.3× on prompts (not reliably) and loses 3–15× on generation, so
// the default is one thread for both phases; `num_thread` overrides.

export const DEFAULT_THREADS = 1;

export function resolveThreads(numThread: number | undefined): number {
  return numThread !== undefined && numThread > 0 ? Math.floor(numThread) : DEFAULT_THREADS;
}
