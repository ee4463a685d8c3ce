// koffi declarations of the llama.h / ggml.h / ggml-backend.h / ggml-cpu.h functions herd calls, bound once
// per process by `loadLlama()`. Opaque handles (model, context, vocab, sampler, …) are `void *`: koffi hands
// them over as addresses and takes them back as such. Integer arrays are passed as typed arrays.

import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import koffi from "koffi";
import { ModelLoadError } from "../../util/errors.js";
import { LLAMA_RELEASE, LLAMA_VERSION, loadLlamaLibrary, packageRelease, type LlamaLibrary, type LoadLibraryOptions } from "./library.js";
import * as S from "./structs.js";

/** An opaque C pointer as koffi returns it. */
export type Ptr = unknown;

export const logCallback = koffi.proto("void ggml_log_callback(int level, const char *text, void *user_data)");

/**
 * Routes llama.cpp's and ggml's log to `handler` until the returned function restores the default (stderr).
 * Only for phases on the JS thread (load): a log call from a ggml worker thread during a decode would wait
 * for the JS thread, which waits in llama_decode.
 */
export function captureLog(a: LlamaApi, handler: (level: number, text: string) => void): () => void {
  const cb = koffi.register(handler, koffi.pointer(logCallback));
  a.llama_log_set(cb, null);
  return () => {
    a.llama_log_set(null, null);
    koffi.unregister(cb);
  };
}

/** `llama_progress_callback` (llama.h): the fraction of the weights loaded; returning false cancels the load. */
export const progressCallback = koffi.proto("bool llama_progress_callback(float progress, void *user_data)");

/**
 * A progress callback for `llama_model_params.progress_callback` that hands the fraction to `handler`, and the
 * function that releases it after the load. llama.cpp calls it on the loading (JS) thread.
 */
export function progressHook(handler: (progress: number) => void): { ptr: Ptr; release: () => void } {
  const ptr = koffi.register((progress: number) => {
    handler(progress);
    return true;
  }, koffi.pointer(progressCallback));
  return { ptr, release: () => koffi.unregister(ptr) };
}

function bind(lib: LlamaLibrary) {
  const l = lib.llama;
  const g = lib.ggml;
  const b = lib.ggmlBase;
  return {
    // library and backends
    llama_version: l.func("const char *llama_version(void)"),
    llama_print_system_info: l.func("const char *llama_print_system_info(void)"),
    llama_backend_init: l.func("void llama_backend_init(void)"),
    llama_log_set: l.func("void llama_log_set(void *cb, void *user_data)"),
    llama_supports_gpu_offload: l.func("bool llama_supports_gpu_offload(void)"),
    llama_max_devices: l.func("size_t llama_max_devices(void)"),
    ggml_backend_load_all_from_path: g.func("void ggml_backend_load_all_from_path(const char *dir)"),
    ggml_backend_load: g.func("void *ggml_backend_load(const char *path)"),
    ggml_backend_reg_count: g.func("size_t ggml_backend_reg_count(void)"),
    ggml_backend_reg_get: g.func("void *ggml_backend_reg_get(size_t i)"),
    ggml_backend_reg_by_name: g.func("void *ggml_backend_reg_by_name(const char *name)"),
    ggml_backend_reg_name: g.func("const char *ggml_backend_reg_name(void *reg)"),
    ggml_backend_reg_get_proc_address: g.func("void *ggml_backend_reg_get_proc_address(void *reg, const char *name)"),
    ggml_backend_dev_count: g.func("size_t ggml_backend_dev_count(void)"),
    ggml_backend_dev_get: g.func("void *ggml_backend_dev_get(size_t i)"),
    ggml_backend_dev_type: g.func("int ggml_backend_dev_type(void *dev)"),
    ggml_backend_dev_name: g.func("const char *ggml_backend_dev_name(void *dev)"),
    ggml_backend_dev_description: g.func("const char *ggml_backend_dev_description(void *dev)"),
    ggml_backend_dev_memory: g.func("void ggml_backend_dev_memory(void *dev, _Out_ size_t *free, _Out_ size_t *total)"),
    ggml_backend_dev_backend_reg: g.func("void *ggml_backend_dev_backend_reg(void *dev)"),
    ggml_threadpool_params_default: b.func("ggml_threadpool_params_default", S.ggml_threadpool_params, ["int"]),

    // model
    llama_model_default_params: l.func("llama_model_default_params", S.llama_model_params, []),
    llama_model_load_from_file: l.func("void *llama_model_load_from_file(const char *path, llama_model_params params)"),
    llama_model_free: l.func("void llama_model_free(void *model)"),
    llama_model_get_vocab: l.func("void *llama_model_get_vocab(void *model)"),
    llama_model_n_ctx_train: l.func("int32_t llama_model_n_ctx_train(void *model)"),
    llama_model_n_embd: l.func("int32_t llama_model_n_embd(void *model)"),
    llama_model_n_embd_out: l.func("int32_t llama_model_n_embd_out(void *model)"),
    llama_model_n_layer: l.func("int32_t llama_model_n_layer(void *model)"),
    llama_model_n_cls_out: l.func("uint32_t llama_model_n_cls_out(void *model)"),
    llama_model_size: l.func("uint64_t llama_model_size(void *model)"),
    llama_model_has_encoder: l.func("bool llama_model_has_encoder(void *model)"),
    llama_model_has_decoder: l.func("bool llama_model_has_decoder(void *model)"),
    llama_model_is_recurrent: l.func("bool llama_model_is_recurrent(void *model)"),
    llama_model_is_hybrid: l.func("bool llama_model_is_hybrid(void *model)"),
    llama_model_meta_val_str: l.func("int32_t llama_model_meta_val_str(void *model, const char *key, _Out_ uint8_t *buf, size_t size)"),
    llama_model_desc: l.func("int32_t llama_model_desc(void *model, _Out_ uint8_t *buf, size_t size)"),

    // LoRA
    llama_adapter_lora_init: l.func("void *llama_adapter_lora_init(void *model, const char *path)"),
    llama_adapter_lora_free: l.func("void llama_adapter_lora_free(void *adapter)"),
    llama_set_adapters_lora: l.func("int32_t llama_set_adapters_lora(void *ctx, void **adapters, size_t n, float *scales)"),

    // context
    llama_context_default_params: l.func("llama_context_default_params", S.llama_context_params, []),
    llama_init_from_model: l.func("void *llama_init_from_model(void *model, llama_context_params params)"),
    llama_free: l.func("void llama_free(void *ctx)"),
    llama_n_ctx: l.func("uint32_t llama_n_ctx(void *ctx)"),
    llama_n_ctx_seq: l.func("uint32_t llama_n_ctx_seq(void *ctx)"),
    llama_n_batch: l.func("uint32_t llama_n_batch(void *ctx)"),
    llama_n_seq_max: l.func("uint32_t llama_n_seq_max(void *ctx)"),
    llama_pooling_type: l.func("int llama_pooling_type(void *ctx)"),
    llama_set_n_threads: l.func("void llama_set_n_threads(void *ctx, int32_t n_threads, int32_t n_threads_batch)"),
    llama_attach_threadpool: l.func("void llama_attach_threadpool(void *ctx, void *tp, void *tp_batch)"),
    llama_detach_threadpool: l.func("void llama_detach_threadpool(void *ctx)"),
    llama_set_embeddings: l.func("void llama_set_embeddings(void *ctx, bool embeddings)"),
    llama_set_causal_attn: l.func("void llama_set_causal_attn(void *ctx, bool causal)"),
    llama_synchronize: l.func("void llama_synchronize(void *ctx)"),

    // memory (KV cache)
    llama_get_memory: l.func("void *llama_get_memory(void *ctx)"),
    llama_memory_clear: l.func("void llama_memory_clear(void *mem, bool data)"),
    llama_memory_seq_rm: l.func("bool llama_memory_seq_rm(void *mem, int32_t seq, int32_t p0, int32_t p1)"),
    llama_memory_seq_add: l.func("void llama_memory_seq_add(void *mem, int32_t seq, int32_t p0, int32_t p1, int32_t delta)"),
    llama_memory_seq_pos_max: l.func("int32_t llama_memory_seq_pos_max(void *mem, int32_t seq)"),
    llama_memory_can_shift: l.func("bool llama_memory_can_shift(void *mem)"),

    // batches and evaluation
    llama_batch_init: l.func("llama_batch_init", S.llama_batch, ["int32_t", "int32_t", "int32_t"]),
    llama_batch_free: l.func("void llama_batch_free(llama_batch batch)"),
    llama_decode: l.func("int32_t llama_decode(void *ctx, llama_batch batch)"),
    llama_encode: l.func("int32_t llama_encode(void *ctx, llama_batch batch)"),
    llama_get_logits_ith: l.func("void *llama_get_logits_ith(void *ctx, int32_t i)"),
    llama_get_embeddings_ith: l.func("void *llama_get_embeddings_ith(void *ctx, int32_t i)"),
    llama_get_embeddings_seq: l.func("void *llama_get_embeddings_seq(void *ctx, int32_t seq)"),

    // vocabulary
    llama_vocab_n_tokens: l.func("int32_t llama_vocab_n_tokens(void *vocab)"),
    llama_vocab_bos: l.func("int32_t llama_vocab_bos(void *vocab)"),
    llama_vocab_eos: l.func("int32_t llama_vocab_eos(void *vocab)"),
    llama_vocab_sep: l.func("int32_t llama_vocab_sep(void *vocab)"),
    llama_vocab_get_add_bos: l.func("bool llama_vocab_get_add_bos(void *vocab)"),
    llama_vocab_get_add_eos: l.func("bool llama_vocab_get_add_eos(void *vocab)"),
    llama_vocab_get_add_sep: l.func("bool llama_vocab_get_add_sep(void *vocab)"),
    llama_vocab_is_eog: l.func("bool llama_vocab_is_eog(void *vocab, int32_t token)"),
    llama_vocab_is_control: l.func("bool llama_vocab_is_control(void *vocab, int32_t token)"),
    llama_tokenize: l.func(
      "int32_t llama_tokenize(void *vocab, const uint8_t *text, int32_t len, _Out_ int32_t *tokens, int32_t max, bool add_special, bool parse_special)",
    ),
    llama_token_to_piece: l.func("int32_t llama_token_to_piece(void *vocab, int32_t token, _Out_ uint8_t *buf, int32_t len, int32_t lstrip, bool special)"),
    llama_detokenize: l.func(
      "int32_t llama_detokenize(void *vocab, const int32_t *tokens, int32_t n, _Out_ uint8_t *text, int32_t max, bool remove_special, bool unparse_special)",
    ),

    // sampling
    llama_sampler_chain_default_params: l.func("llama_sampler_chain_default_params", S.llama_sampler_chain_params, []),
    llama_sampler_chain_init: l.func("void *llama_sampler_chain_init(llama_sampler_chain_params params)"),
    llama_sampler_chain_add: l.func("void llama_sampler_chain_add(void *chain, void *smpl)"),
    llama_sampler_free: l.func("void llama_sampler_free(void *smpl)"),
    llama_sampler_accept: l.func("void llama_sampler_accept(void *smpl, int32_t token)"),
    llama_sampler_reset: l.func("void llama_sampler_reset(void *smpl)"),
    llama_sampler_sample: l.func("int32_t llama_sampler_sample(void *smpl, void *ctx, int32_t idx)"),
    llama_sampler_apply: l.func("void llama_sampler_apply(void *smpl, _Inout_ llama_token_data_array *cur_p)"),
    llama_sampler_init_greedy: l.func("void *llama_sampler_init_greedy(void)"),
    llama_sampler_init_dist: l.func("void *llama_sampler_init_dist(uint32_t seed)"),
    llama_sampler_init_top_k: l.func("void *llama_sampler_init_top_k(int32_t k)"),
    llama_sampler_init_top_p: l.func("void *llama_sampler_init_top_p(float p, size_t min_keep)"),
    llama_sampler_init_min_p: l.func("void *llama_sampler_init_min_p(float p, size_t min_keep)"),
    llama_sampler_init_typical: l.func("void *llama_sampler_init_typical(float p, size_t min_keep)"),
    llama_sampler_init_temp: l.func("void *llama_sampler_init_temp(float t)"),
    llama_sampler_init_penalties: l.func("void *llama_sampler_init_penalties(int32_t n_vocab, int32_t last_n, float repeat, float freq, float present)"),
    llama_sampler_init_grammar: l.func("void *llama_sampler_init_grammar(void *vocab, const char *grammar, const char *root)"),
  };
}

export type LlamaApi = ReturnType<typeof bind> & {
  lib: LlamaLibrary;
  /** The CPU backend variant loaded (a path), when herd picked it itself; pass it to later processes. */
  cpuBackend?: string;
  /** `ggml_threadpool_new` / `_free` of the CPU backend (resolved through its proc address), or undefined without one. */
  threadpool?: { create(params: unknown): Ptr; free(pool: Ptr): void };
};

let api: LlamaApi | undefined;

/**
 * Loads and binds the libraries once per process, loads ggml's backends from the same folder and checks the
 * release. A library of another release is refused with ModelLoadError before any struct crosses the boundary:
 * a struct of another layout would be read as garbage and crash the process.
 */
export function loadLlama(opts: LoadLibraryOptions & { cpuBackend?: string } = {}): LlamaApi {
  if (api) return api;
  const lib = loadLlamaLibrary(opts);
  checkRelease(lib);
  const bound = bind(lib) as LlamaApi;
  bound.lib = lib;
  checkDefaults(bound);
  bound.cpuBackend = loadBackends(bound, lib, opts.cpuBackend);
  bound.llama_backend_init();
  const cpu = bound.ggml_backend_reg_by_name("CPU");
  if (cpu) {
    const newAddr = bound.ggml_backend_reg_get_proc_address(cpu, "ggml_threadpool_new");
    const freeAddr = bound.ggml_backend_reg_get_proc_address(cpu, "ggml_threadpool_free");
    if (newAddr && freeAddr) {
      const newProto = koffi.proto("void *ggml_threadpool_new_t(ggml_threadpool_params *params)");
      const freeProto = koffi.proto("void ggml_threadpool_free_t(void *pool)");
      bound.threadpool = {
        create: (params) => koffi.call(newAddr, newProto, params) as Ptr,
        free: (pool) => koffi.call(freeAddr, freeProto, pool),
      };
    }
  }
  api = bound;
  return api;
}

/**
 * Registers ggml's backends. A CPU-only package holds one CPU library per instruction-set level; ggml would
 * open every one to ask its score (~100 ms per process). herd scores them the same way once, and later
 * processes load the winner (`cached`) alone. GPU packages load everything as ggml does.
 */
function loadBackends(a: LlamaApi, lib: LlamaLibrary, cached: string | undefined): string | undefined {
  if (!lib.variant) {
    if (cached && dirname(cached) === lib.dir && existsSync(cached) && a.ggml_backend_load(cached)) return cached;
    let best: string | undefined;
    let bestScore = 0;
    for (const f of readdirSync(lib.dir).filter((n) => /^(lib)?ggml-cpu-.*\.(so|dylib|dll)$/.test(n))) {
      try {
        // The score function checks the CPU's features (cpuid) before anything needs them.
        const score = Number(koffi.load(join(lib.dir, f)).func("int ggml_backend_score(void)")());
        if (score > bestScore) [best, bestScore] = [join(lib.dir, f), score];
      } catch {
        // not a loadable backend
      }
    }
    if (best && a.ggml_backend_load(best)) return best;
  }
  a.ggml_backend_load_all_from_path(lib.dir);
  return undefined;
}

/**
 * The release check: `llama_version()` must exist and name LLAMA_VERSION, and the package's build metadata
 * (when present) must name LLAMA_RELEASE. The version string alone does not change between development
 * builds, so the struct defaults are checked too (`checkDefaults`).
 */
export function checkRelease(lib: LlamaLibrary): void {
  const release = packageRelease(lib.dir);
  if (release !== undefined && release !== LLAMA_RELEASE)
    throw new ModelLoadError(`llama.cpp libraries in ${lib.dir} are release ${release}; herd's binding is for ${LLAMA_RELEASE}`);
  let version: string;
  try {
    version = String(lib.llama.func("const char *llama_version(void)")());
  } catch {
    throw new ModelLoadError(`llama.cpp library in ${lib.dir} has no llama_version(): not release ${LLAMA_RELEASE}`);
  }
  if (version.replace(/-dev$/, "") !== LLAMA_VERSION)
    throw new ModelLoadError(`llama.cpp library in ${lib.dir} is version ${version}; herd's binding is for ${LLAMA_VERSION} (${LLAMA_RELEASE})`);
}

/**
 * The default parameter structs, read through our layouts, must hold the release's documented defaults. A
 * library whose structs moved a field fails here instead of receiving misplaced values.
 */
function checkDefaults(a: LlamaApi): void {
  const c = a.llama_context_default_params() as Record<string, unknown>;
  const m = a.llama_model_default_params() as Record<string, unknown>;
  const ok =
    c.n_ctx === 512 &&
    c.n_batch === 2048 &&
    c.n_ubatch === 512 &&
    c.n_seq_max === 1 &&
    c.n_outputs_max_per_seq === 1 &&
    c.flash_attn_type === -1 &&
    c.type_k === 1 &&
    c.swa_full === true &&
    c.offload_kqv === true &&
    c.op_offload === true &&
    c.kv_unified === false &&
    c.pooling_type === S.LLAMA_POOLING_TYPE_UNSPECIFIED &&
    m.n_gpu_layers === -1 &&
    m.load_mode === -1 &&
    m.lazy_mode === 1 &&
    m.vocab_only === false &&
    m.use_extra_bufts === true;
  if (!ok) throw new ModelLoadError(`llama.cpp library in ${a.lib.dir} has parameter structs of another layout than release ${LLAMA_RELEASE}`);
}
