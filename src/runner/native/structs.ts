// C structs of llama.h / ggml.h (release LLAMA_RELEASE), field for field in header order. Enums are `int`,
// callbacks and pointers we never set are `void *`. `layout.test.ts` compiles the real headers and checks
// every size and offset here against the C compiler's.

import koffi from "koffi";

/** The most threads one ggml thread pool may have (its per-thread arrays, `cpumask` among them, are this long). */
export const GGML_MAX_N_THREADS = 512;

export const llama_model_params = koffi.struct("llama_model_params", {
  devices: "void *",
  tensor_buft_overrides: "void *",
  n_gpu_layers: "int32_t",
  split_mode: "int",
  load_mode: "int",
  lazy_mode: "int",
  main_gpu: "int32_t",
  tensor_split: "void *",
  progress_callback: "void *",
  progress_callback_user_data: "void *",
  kv_overrides: "void *",
  vocab_only: "bool",
  check_tensors: "bool",
  use_extra_bufts: "bool",
  no_host: "bool",
  no_alloc: "bool",
  load_mtp: "bool",
});

export const llama_context_params = koffi.struct("llama_context_params", {
  n_ctx: "uint32_t",
  n_batch: "uint32_t",
  n_ubatch: "uint32_t",
  n_seq_max: "uint32_t",
  n_rs_seq: "uint32_t",
  n_outputs_max: "uint32_t",
  n_outputs_max_per_seq: "uint32_t",
  n_threads: "int32_t",
  n_threads_batch: "int32_t",
  ctx_type: "int",
  rope_scaling_type: "int",
  pooling_type: "int",
  attention_type: "int",
  flash_attn_type: "int",
  rope_freq_base: "float",
  rope_freq_scale: "float",
  yarn_ext_factor: "float",
  yarn_attn_factor: "float",
  yarn_beta_fast: "float",
  yarn_beta_slow: "float",
  yarn_orig_ctx: "uint32_t",
  defrag_thold: "float",
  cb_eval: "void *",
  cb_eval_user_data: "void *",
  type_k: "int",
  type_v: "int",
  abort_callback: "void *",
  abort_callback_data: "void *",
  embeddings: "bool",
  offload_kqv: "bool",
  no_perf: "bool",
  op_offload: "bool",
  swa_full: "bool",
  kv_unified: "bool",
  samplers: "void *",
  n_samplers: "size_t",
  ctx_other: "void *",
});

/** Pointers are addresses (bigint): the batch arrays are written through `koffi.view`. */
export const llama_batch = koffi.struct("llama_batch", {
  n_tokens: "int32_t",
  token: "void *",
  embd: "void *",
  pos: "void *",
  n_seq_id: "void *",
  seq_id: "void *",
  logits: "void *",
});

export const llama_sampler_chain_params = koffi.struct("llama_sampler_chain_params", {
  no_perf: "bool",
});

export const llama_token_data = koffi.struct("llama_token_data", {
  id: "int32_t",
  logit: "float",
  p: "float",
});

export const llama_token_data_array = koffi.struct("llama_token_data_array", {
  data: "void *",
  size: "size_t",
  selected: "int64_t",
  sorted: "bool",
});

export const llama_model_quantize_params = koffi.struct("llama_model_quantize_params", {
  nthread: "int32_t",
  ftype: "int",
  output_tensor_type: "int",
  token_embedding_type: "int",
  allow_requantize: "bool",
  quantize_output_tensor: "bool",
  only_copy: "bool",
  pure: "bool",
  keep_split: "bool",
  dry_run: "bool",
  imatrix: "void *",
  kv_overrides: "void *",
  tt_overrides: "void *",
  prune_layers: "void *",
  max_buf_size: "size_t",
});

export const ggml_threadpool_params = koffi.struct("ggml_threadpool_params", {
  cpumask: koffi.array("bool", GGML_MAX_N_THREADS, "Array"),
  n_threads: "int",
  prio: "int",
  poll: "uint32_t",
  strict_cpu: "bool",
  paused: "bool",
});

/** Every struct above with its C name, for the layout test. */
export const STRUCTS = {
  llama_model_params,
  llama_context_params,
  llama_batch,
  llama_sampler_chain_params,
  llama_token_data,
  llama_token_data_array,
  llama_model_quantize_params,
  ggml_threadpool_params,
} as const;

// Enum values used by the runner (llama.h).
export const LLAMA_POOLING_TYPE_UNSPECIFIED = -1;
export const LLAMA_POOLING_TYPE_NONE = 0;
export const LLAMA_POOLING_TYPE_RANK = 4;
export const LLAMA_LOAD_MODE_NONE = 0;
export const LLAMA_SPLIT_MODE_NONE = 0;
export const LLAMA_LOAD_MODE_MMAP = 1;
export const LLAMA_FLASH_ATTN_TYPE_AUTO = -1;
export const LLAMA_FLASH_ATTN_TYPE_DISABLED = 0;
export const LLAMA_FLASH_ATTN_TYPE_ENABLED = 1;
export const GGML_LOG_LEVEL_ERROR = 4;
export const GGML_LOG_LEVEL_WARN = 3;
export const GGML_LOG_LEVEL_CONT = 5;
export const GGML_BACKEND_DEVICE_TYPE_CPU = 0;
export const GGML_BACKEND_DEVICE_TYPE_GPU = 1;
export const GGML_BACKEND_DEVICE_TYPE_IGPU = 2;

/** ggml_type ids (ggml.h) herd names: KV cache types and quantization's tensor overrides. */
export const GGML_TYPE = { f32: 0, f16: 1, q4_0: 2, q8_0: 8, bf16: 30 } as const;

/** The enum values above by their C names, for the test that checks them against the headers. */
export const ENUMS: Record<string, number> = {
  LLAMA_POOLING_TYPE_UNSPECIFIED,
  LLAMA_POOLING_TYPE_NONE,
  LLAMA_POOLING_TYPE_RANK,
  LLAMA_SPLIT_MODE_NONE,
  LLAMA_LOAD_MODE_NONE,
  LLAMA_LOAD_MODE_MMAP,
  LLAMA_FLASH_ATTN_TYPE_AUTO,
  LLAMA_FLASH_ATTN_TYPE_DISABLED,
  LLAMA_FLASH_ATTN_TYPE_ENABLED,
  GGML_LOG_LEVEL_ERROR,
  GGML_LOG_LEVEL_WARN,
  GGML_LOG_LEVEL_CONT,
  GGML_MAX_N_THREADS,
  GGML_BACKEND_DEVICE_TYPE_CPU,
  GGML_BACKEND_DEVICE_TYPE_GPU,
  GGML_BACKEND_DEVICE_TYPE_IGPU,
  ...Object.fromEntries(Object.entries(GGML_TYPE).map(([k, v]) => [`GGML_TYPE_${k.toUpperCase()}`, v])),
};
