// herd's binding of llama.cpp's C API through koffi: FFI only (no runner logic).
//   loadLlamaLibrary(opts) → LlamaLibrary  — finds and dlopens the prebuilt libraries once (handles, dir,
//                                           loadSibling(prefix) for libmtmd and other libraries beside them)
//   loadLlama(opts) → LlamaApi            — binds the functions, loads ggml's backends, checks the release
//   structs                                — the C structs (layouts proven by layout.test.ts)
export { loadLlamaLibrary, libraryCandidates, LLAMA_RELEASE, LLAMA_VERSION, type LlamaLibrary, type LoadLibraryOptions } from "./library.js";
export { loadLlama, logCallback, type LlamaApi, type Ptr } from "./api.js";
export * as structs from "./structs.js";
