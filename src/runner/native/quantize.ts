// llama.cpp's quantizer through the binding: `llama_model_quantize(in, out, &params)` rewrites a GGUF with
// its tensors in another type, choosing per-tensor types as `llama-quantize` does (its output is
// byte-identical to the tool's). It blocks for the whole job and has no progress callback; it logs one
// `[  i/  n] name - [shape], type = …` line per tensor through llama.cpp's log, which the parent reads.
// Runs only in the quantize child process (quantize-child.ts), so a cancel can kill it outright.

import koffi from "koffi";
import { loadLlama, type LlamaApi } from "./api.js";
import * as S from "./structs.js";

/** `struct llama_model_tensor_override` (llama.h): a regex on tensor names and the ggml type to force. */
const llama_model_tensor_override = koffi.struct("llama_model_tensor_override", { pattern: "const char *", type: "int" });

/** llama_ftype values (llama.h) of the types herd quantizes to. */
export const LLAMA_FTYPE = { F32: 0, F16: 1, Q8_0: 7, Q4_K_S: 14, Q4_K_M: 15, BF16: 32 } as const;
export type QuantizeFtype = keyof typeof LLAMA_FTYPE;


export interface QuantizeJob {
  input: string;
  output: string;
  ftype: QuantizeFtype;
  nthread: number;
  /** Per-tensor type overrides: name regex → ggml type name (llama-quantize's `--tensor-type`). */
  overrides?: { pattern: string; type: keyof typeof S.GGML_TYPE }[];
}

function bind(api: LlamaApi) {
  const l = api.lib.llama;
  return {
    defaults: l.func("llama_model_quantize_default_params", S.llama_model_quantize_params, []),
    quantize: l.func("uint32_t llama_model_quantize(const char *fname_inp, const char *fname_out, llama_model_quantize_params *params)"),
  };
}

/** Runs one quantization in this process; throws with llama.cpp's return code on failure. */
export function quantizeModel(job: QuantizeJob): void {
  const api = loadLlama({ gpu: false });
  const q = bind(api);
  const params = q.defaults() as Record<string, unknown>;
  params.ftype = LLAMA_FTYPE[job.ftype];
  params.nthread = job.nthread;
  // Ollama passes --allow-requantize: a source already partly quantized is still accepted.
  params.allow_requantize = true;
  let overrides: unknown;
  if (job.overrides?.length) {
    const n = job.overrides.length + 1;
    const arrayType = koffi.array(llama_model_tensor_override, n);
    overrides = koffi.alloc(llama_model_tensor_override, n);
    // Strings must outlive the call: koffi.encode copies them into memory it keeps with the allocation.
    koffi.encode(overrides, arrayType, [...job.overrides.map((o) => ({ pattern: o.pattern, type: S.GGML_TYPE[o.type] })), { pattern: null, type: 0 }]);
    params.tt_overrides = overrides;
  }
  try {
    const rc = q.quantize(job.input, job.output, params) as number;
    if (rc !== 0) throw new Error(`llama_model_quantize failed (code ${rc})`);
  } finally {
    if (overrides) koffi.free(overrides);
  }
}
