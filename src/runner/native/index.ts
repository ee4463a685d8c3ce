// herd's binding of llama.cpp's C API through koffi: FFI only (no runner logic).
//   loadLlamaLibrary(opts) → LlamaLibrary  — finds and dlopens the prebuilt libraries once (handles, dir,
//                                           loadSibling(prefix) for libmtmd and other libraries beside them)
//   loadLlama(opts) → LlamaApi            — binds the functions, loads ggml's backends, checks the release
//   captureLog(api, handler) → restore   — llama.cpp's log to a JS handler while loading
//   progressHook(handler) → { ptr, release } — a load progress callback for llama_model_params
//   gpuDevices(api) → NativeDevice[]     — the GPUs llama.cpp would use, with free/total memory ([] on CPU)
//   structs                                — the C structs (layouts proven by layout.test.ts)
//   inputWaiting(fd) → () => boolean       — poll(2) through libc (libc.ts): input waiting on an fd, without blocking
export { loadLlamaLibrary, libraryCandidates, LLAMA_RELEASE, LLAMA_VERSION, type LlamaLibrary, type LoadLibraryOptions } from "./library.js";
export { captureLog, loadLlama, logCallback, progressHook, type LlamaApi, type Ptr } from "./api.js";
export { gpuDevices, type NativeDevice } from "./devices.js";
export * as structs from "./structs.js";
export { inputWaiting } from "./poll.js";
