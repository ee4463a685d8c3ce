// Synthetic files in the layouts Ollama publishes (random weights, tiny shapes), written with herd's
// GGUF writer from the facts in Ollama's compat layer and llama.cpp's expected tensor lists
// (src/models/<arch>.cpp load_arch_tensors). For the translation tests and the benchmark. The builders
// live in testing/ by family; this is their one import.

export * from "./testing/weights.js";
export * from "./testing/vocab.js";
export * from "./testing/decoder.js";
export * from "./testing/hybrid.js";
export * from "./testing/published-text.js";
export * from "./testing/gemma3.js";
export * from "./testing/gptoss.js";
export * from "./testing/vision.js";
export * from "./testing/files.js";
