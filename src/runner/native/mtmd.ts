// koffi declarations of llama.cpp's multimodal library (tools/mtmd/mtmd.h, mtmd-helper.h of release
// LLAMA_RELEASE), loaded after libllama/libggml (whose sonames libmtmd links) from the path the install
// built it to (mtmd-path.ts). Handles are opaque `void *`.

import koffi from "koffi";
import { VisionUnavailableError } from "../../util/errors.js";
import { loadLlamaLibrary, type LoadLibraryOptions } from "./library.js";
import { mtmdLibrary } from "./mtmd-path.js";

export const MTMD_INPUT_CHUNK_TYPE_TEXT = 0;
export const MTMD_INPUT_CHUNK_TYPE_IMAGE = 1;
export const MTMD_INPUT_CHUNK_TYPE_AUDIO = 2;

/** struct mtmd_context_params, field for field (markers kept as raw pointers to mtmd's static strings). */
export const mtmd_context_params = koffi.struct("mtmd_context_params", {
  use_gpu: "bool",
  device: "void *",
  print_timings: "bool",
  n_threads: "int",
  image_marker: "void *",
  media_marker: "void *",
  flash_attn_type: "int",
  warmup: "bool",
  image_min_tokens: "int",
  image_max_tokens: "int",
  cb_eval: "void *",
  cb_eval_user_data: "void *",
  batch_max_tokens: "int32_t",
  progress_callback: "void *",
  progress_callback_user_data: "void *",
});

export const mtmd_input_text = koffi.struct("mtmd_input_text", {
  text: "const char *",
  text_len: "size_t",
  add_special: "bool",
  parse_special: "bool",
});

const mtmd_helper_video_init_params = koffi.struct("mtmd_helper_video_init_params", {
  fps_target: "float",
  ffmpeg_bin_dir: "void *",
  timestamp_interval_ms: "int64_t",
});
const mtmd_helper_init_opt = koffi.struct("mtmd_helper_init_opt", { video_params: "mtmd_helper_video_init_params" });
const mtmd_helper_bitmap_wrapper = koffi.struct("mtmd_helper_bitmap_wrapper", { bitmap: "void *", video_ctx: "void *" });

/** Every struct crossing the boundary by value or pointer (mtmd-layout.test.ts checks them against the headers). */
export const MTMD_STRUCTS = { mtmd_context_params, mtmd_input_text, mtmd_helper_video_init_params, mtmd_helper_init_opt, mtmd_helper_bitmap_wrapper };

function bind(lib: ReturnType<typeof koffi.load>) {
  return {
    mtmd_default_marker: lib.func("const char *mtmd_default_marker(void)"),
    mtmd_context_params_default: lib.func("mtmd_context_params mtmd_context_params_default(void)"),
    mtmd_init_from_file: lib.func("void *mtmd_init_from_file(const char *mmproj, void *text_model, mtmd_context_params params)"),
    mtmd_free: lib.func("void mtmd_free(void *ctx)"),
    mtmd_support_vision: lib.func("bool mtmd_support_vision(void *ctx)"),
    mtmd_support_audio: lib.func("bool mtmd_support_audio(void *ctx)"),
    mtmd_decode_use_mrope: lib.func("bool mtmd_decode_use_mrope(void *ctx)"),
    mtmd_helper_init_opt_default: lib.func("mtmd_helper_init_opt mtmd_helper_init_opt_default(void)"),
    mtmd_helper_bitmap_init_from_buf: lib.func(
      "mtmd_helper_bitmap_wrapper mtmd_helper_bitmap_init_from_buf(void *ctx, const uint8_t *buf, size_t len, bool placeholder, mtmd_helper_init_opt opt)",
    ),
    mtmd_bitmap_free: lib.func("void mtmd_bitmap_free(void *bitmap)"),
    mtmd_bitmap_set_id: lib.func("void mtmd_bitmap_set_id(void *bitmap, const char *id)"),
    mtmd_bitmap_get_nx: lib.func("uint32_t mtmd_bitmap_get_nx(void *bitmap)"),
    mtmd_bitmap_get_ny: lib.func("uint32_t mtmd_bitmap_get_ny(void *bitmap)"),
    mtmd_input_chunks_init: lib.func("void *mtmd_input_chunks_init(void)"),
    mtmd_input_chunks_size: lib.func("size_t mtmd_input_chunks_size(void *chunks)"),
    mtmd_input_chunks_get: lib.func("void *mtmd_input_chunks_get(void *chunks, size_t idx)"),
    mtmd_input_chunks_free: lib.func("void mtmd_input_chunks_free(void *chunks)"),
    mtmd_input_chunk_get_type: lib.func("int mtmd_input_chunk_get_type(void *chunk)"),
    mtmd_input_chunk_get_tokens_text: lib.func("const int32_t *mtmd_input_chunk_get_tokens_text(void *chunk, _Out_ size_t *n)"),
    mtmd_input_chunk_get_n_tokens: lib.func("size_t mtmd_input_chunk_get_n_tokens(void *chunk)"),
    mtmd_input_chunk_get_n_pos: lib.func("int32_t mtmd_input_chunk_get_n_pos(void *chunk)"),
    mtmd_input_chunk_get_id: lib.func("const char *mtmd_input_chunk_get_id(void *chunk)"),
    mtmd_tokenize: lib.func("int32_t mtmd_tokenize(void *ctx, void *output, const mtmd_input_text *text, void **bitmaps, size_t n_bitmaps)"),
    mtmd_encode_chunk: lib.func("int32_t mtmd_encode_chunk(void *ctx, void *chunk)"),
    mtmd_helper_eval_chunk_single: lib.func(
      "int32_t mtmd_helper_eval_chunk_single(void *ctx, void *lctx, void *chunk, int32_t n_past, int32_t seq_id, int32_t n_batch, bool logits_last, _Out_ int32_t *new_n_past)",
    ),
    mtmd_helper_get_n_tokens: lib.func("size_t mtmd_helper_get_n_tokens(void *chunks)"),
    mtmd_helper_get_n_pos: lib.func("int32_t mtmd_helper_get_n_pos(void *chunks)"),
    mtmd_log_set: lib.func("void mtmd_helper_log_set(void *cb, void *user_data)"),
  };
}

export type MtmdApi = ReturnType<typeof bind>;

let bound: MtmdApi | undefined;

/**
 * libmtmd's functions, bound once per process after libllama is loaded (same options as loadLlama).
 * Throws VisionUnavailableError (with how to build it) when the library was not built.
 */
export function loadMtmd(opts: LoadLibraryOptions = {}): MtmdApi {
  if (bound) return bound;
  const where = mtmdLibrary();
  if (!where.path) throw new VisionUnavailableError(where.reason);
  loadLlamaLibrary(opts); // libllama/libggml first: libmtmd's sonames resolve to these copies
  bound = bind(koffi.load(where.path));
  return bound;
}
