// One loaded model in the child: weights, vocabulary helpers and contexts over the native binding. The
// tokenizer helpers validate every id before it can reach llama.cpp, whose decode aborts the process on an
// out-of-vocabulary token.

import koffi from "koffi";
import { BadRequestError, ModelLoadError } from "../../util/errors.js";
import { KV_CACHE_TYPES, type FlashAttention, type KvCacheType } from "../kv-cache.js";
import { progressHook, type LlamaApi, type Ptr } from "../native/index.js";
import { structs as S } from "../native/index.js";

/**
 * How long a pool's idle workers spin before they sleep: ggml's `poll` level, 1024 × 128 pause instructions per
 * unit. Its default (50) keeps every worker spinning for ~130 ms after each decode (measured: 130–140 ms of
 * CPU per worker in the idle second after one decode): a runner that just answered burns all its cores for
 * that long, and on a machine shared by several runners, the server and its clients, that spin preempts the
 * threads doing real work (it halved another runner's generation speed here). Level 1 spins ~3 ms (4–7 ms of
 * CPU measured), still far longer than the gap between two decode steps (sampling, tens of µs), so the
 * workers never sleep inside a generation; measured generation speed is the same as at 50.
 */
const POOL_POLL = 1;

export interface ContextOptions {
  nCtx: number;
  nBatch: number;
  nUbatch?: number;
  nSeqMax: number;
  threads: number;
  threadsBatch: number;
  embeddings: boolean;
  pooling?: number;
  kvUnified?: boolean;
  /** Default "auto": llama.cpp's choice for the device. */
  flashAttention?: FlashAttention;
  /** Keys and values alike; default f16. */
  kvCacheType?: KvCacheType;
}

const FLASH_ATTN_TYPE: Record<FlashAttention, number> = { auto: S.LLAMA_FLASH_ATTN_TYPE_AUTO, on: S.LLAMA_FLASH_ATTN_TYPE_ENABLED, off: S.LLAMA_FLASH_ATTN_TYPE_DISABLED };

export interface Context {
  ptr: Ptr;
  mem: Ptr;
  nCtx: number;
  nBatch: number;
  pooling: number;
  pools: Ptr[];
}

export class LoadedModel {
  readonly vocab: Ptr;
  readonly nVocab: number;
  readonly bos: number;
  readonly addBos: boolean;
  readonly addEos: boolean;
  readonly addSep: boolean;
  readonly eos: number;
  readonly sep: number;
  readonly trainedContext: number;
  readonly nEmbd: number;
  readonly nLayer: number;
  private readonly pieces = new Map<number, Uint8Array>();
  private readonly decoder = new TextDecoder("utf-8");

  constructor(
    readonly api: LlamaApi,
    readonly ptr: Ptr,
  ) {
    this.vocab = api.llama_model_get_vocab(ptr);
    this.nVocab = api.llama_vocab_n_tokens(this.vocab);
    this.bos = api.llama_vocab_bos(this.vocab);
    this.eos = api.llama_vocab_eos(this.vocab);
    this.sep = api.llama_vocab_sep(this.vocab);
    this.addBos = api.llama_vocab_get_add_bos(this.vocab);
    this.addEos = api.llama_vocab_get_add_eos(this.vocab);
    this.addSep = api.llama_vocab_get_add_sep(this.vocab);
    this.trainedContext = api.llama_model_n_ctx_train(ptr);
    this.nEmbd = api.llama_model_n_embd(ptr);
    this.nLayer = api.llama_model_n_layer(ptr);
  }

  /**
   * `gpuLayers`: llama.cpp's n_gpu_layers (the last n of layers + output). `tensorSplit`: layers per GPU.
   * `mainGpu` keeps the whole offload on that one GPU (Ollama's `--split-mode none --main-gpu N`).
   */
  static load(
    api: LlamaApi,
    path: string,
    opts: { useMmap: boolean; gpuLayers: number; tensorSplit?: number[]; mainGpu?: number; vocabOnly?: boolean; onProgress?: (progress: number) => void },
  ): LoadedModel {
    const params = api.llama_model_default_params() as Record<string, unknown>;
    params.vocab_only = opts.vocabOnly === true;
    params.load_mode = opts.useMmap ? S.LLAMA_LOAD_MODE_MMAP : S.LLAMA_LOAD_MODE_NONE;
    params.n_gpu_layers = opts.gpuLayers;
    if (opts.mainGpu !== undefined) {
      params.main_gpu = opts.mainGpu;
      params.split_mode = S.LLAMA_SPLIT_MODE_NONE;
    }
    // llama.cpp reads one float per device it uses (at most llama_max_devices); the array lives through the load.
    const width = Number(api.llama_max_devices());
    const split = opts.tensorSplit?.length ? koffi.alloc("float", width) : undefined;
    // No layer on a GPU means no GPU at all (an empty, NULL-terminated device list): llama.cpp would still
    // put the batch's compute buffer there (op offload), on a GPU the fit found no room on, and the CPU
    // would lose its repacked weights.
    const noDevices = opts.gpuLayers === 0 && !opts.vocabOnly ? koffi.alloc("void *", 1) : undefined;
    const progress = opts.onProgress ? progressHook(opts.onProgress) : undefined;
    try {
      if (progress) params.progress_callback = progress.ptr;
      if (split) {
        koffi.encode(split, "float", Array.from({ length: width }, (_, i) => opts.tensorSplit![i] ?? 0), width);
        params.tensor_split = split;
      }
      if (noDevices) {
        koffi.encode(noDevices, "void *", null);
        params.devices = noDevices;
      }
      const ptr = api.llama_model_load_from_file(path, params);
      if (!ptr) throw new ModelLoadError("unable to load model");
      return new LoadedModel(api, ptr);
    } finally {
      progress?.release();
      if (split) koffi.free(split);
      if (noDevices) koffi.free(noDevices);
    }
  }

  metadata(key: string): string | undefined {
    const buf = Buffer.alloc(256);
    const n = this.api.llama_model_meta_val_str(this.ptr, key, buf, buf.length);
    return n < 0 ? undefined : buf.subarray(0, Math.min(n, buf.length - 1)).toString("utf8");
  }

  /** Tokenizes text; `addSpecial` adds BOS/EOS as the model's vocabulary asks, `parseSpecial` maps control-token text to their ids. */
  tokenize(text: string, addSpecial = true, parseSpecial = true): number[] {
    const bytes = Buffer.from(text, "utf8");
    let out = new Int32Array(bytes.length + 8);
    let n = this.api.llama_tokenize(this.vocab, bytes, bytes.length, out, out.length, addSpecial, parseSpecial);
    if (n < 0) {
      out = new Int32Array(-n);
      n = this.api.llama_tokenize(this.vocab, bytes, bytes.length, out, out.length, addSpecial, parseSpecial);
    }
    const tokens = Array.from(out.subarray(0, Math.max(0, n)));
    // A template that writes the BOS itself would get a second one from `addSpecial`: keep one, as herd did.
    if (addSpecial && this.bos >= 0 && tokens[0] === this.bos && tokens[1] === this.bos) tokens.shift();
    return tokens;
  }

  /** Refuses ids outside the vocabulary before they reach llama_decode. */
  validate(tokens: readonly number[]): void {
    for (const t of tokens)
      if (!Number.isInteger(t) || t < 0 || t >= this.nVocab) throw new BadRequestError(`invalid token id ${t}: the vocabulary has ${this.nVocab} tokens`);
  }

  /** The bytes a token renders to, control tokens included (as Ollama's runner shows them). Cached per id. */
  pieceBytes(token: number): Uint8Array {
    let piece = this.pieces.get(token);
    if (piece) return piece;
    let buf = Buffer.alloc(32);
    let n = this.api.llama_token_to_piece(this.vocab, token, buf, buf.length, 0, true);
    if (n < 0) {
      buf = Buffer.alloc(-n);
      n = this.api.llama_token_to_piece(this.vocab, token, buf, buf.length, 0, true);
    }
    piece = new Uint8Array(buf.subarray(0, Math.max(0, n)));
    this.pieces.set(token, piece);
    return piece;
  }

  pieceText(token: number): string {
    return this.decoder.decode(this.pieceBytes(token));
  }

  /** Per token id: 0 not asked yet, 1 not end-of-generation, 2 end-of-generation (asked once per id). */
  private eog?: Uint8Array;

  isEog(token: number): boolean {
    if (token < 0 || token >= this.nVocab) return this.api.llama_vocab_is_eog(this.vocab, token);
    this.eog ??= new Uint8Array(this.nVocab);
    if (this.eog[token] === 0) this.eog[token] = this.api.llama_vocab_is_eog(this.vocab, token) ? 2 : 1;
    return this.eog[token] === 2;
  }

  detokenize(tokens: readonly number[], renderSpecial = false): string {
    this.validate(tokens);
    const ids = Int32Array.from(tokens);
    let buf = Buffer.alloc(tokens.length * 8 + 16);
    let n = this.api.llama_detokenize(this.vocab, ids, ids.length, buf, buf.length, false, renderSpecial);
    if (n < 0) {
      buf = Buffer.alloc(-n);
      n = this.api.llama_detokenize(this.vocab, ids, ids.length, buf, buf.length, false, renderSpecial);
    }
    return buf.subarray(0, Math.max(0, n)).toString("utf8");
  }

  /**
   * A context with its own persistent thread pools (one for generation, one for prompt batches when the
   * counts differ): ggml otherwise creates a pool per decode, and its thread start-up costs more than a
   * small model's whole step.
   */
  createContext(o: ContextOptions): Context {
    const api = this.api;
    const params = api.llama_context_default_params() as Record<string, unknown>;
    params.n_ctx = o.nCtx;
    params.n_batch = o.nBatch;
    params.n_ubatch = o.nUbatch ?? Math.min(o.nBatch, 512);
    params.n_seq_max = o.nSeqMax;
    params.n_threads = o.threads;
    params.n_threads_batch = o.threadsBatch;
    params.embeddings = o.embeddings;
    params.kv_unified = o.kvUnified ?? false;
    if (o.pooling !== undefined) params.pooling_type = o.pooling;
    params.flash_attn_type = FLASH_ATTN_TYPE[o.flashAttention ?? "auto"];
    params.type_k = params.type_v = KV_CACHE_TYPES[o.kvCacheType ?? "f16"].ggmlType;
    params.no_perf = true;
    const ptr = api.llama_init_from_model(this.ptr, params);
    if (!ptr) throw new ModelLoadError("failed to create the model context");
    const pools: Ptr[] = [];
    if (api.threadpool) {
      const make = (n: number) => {
        const tp = api.ggml_threadpool_params_default(n) as Record<string, unknown>;
        tp.poll = POOL_POLL;
        const pool = api.threadpool!.create(tp);
        if (pool) pools.push(pool);
        return pool;
      };
      const gen = make(o.threads);
      const batch = o.threadsBatch === o.threads ? gen : make(o.threadsBatch);
      if (gen && batch) api.llama_attach_threadpool(ptr, gen, batch);
    }
    return { ptr, mem: api.llama_get_memory(ptr), nCtx: api.llama_n_ctx(ptr), nBatch: api.llama_n_batch(ptr), pooling: api.llama_pooling_type(ptr), pools };
  }

  freeContext(ctx: Context): void {
    this.api.llama_detach_threadpool(ctx.ptr);
    this.api.llama_free(ctx.ptr);
    for (const p of ctx.pools) this.api.threadpool?.free(p);
  }

  /** Float32 view of `n` floats at a native address (logits, embeddings), valid until the next decode. */
  static floats(ptr: Ptr, n: number): Float32Array {
    return new Float32Array(koffi.view(ptr, n * 4));
  }

  free(): void {
    this.api.llama_model_free(this.ptr);
  }
}
