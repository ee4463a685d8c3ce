// Embeddings and reranking: a request's inputs go through in few decodes, one sequence per input, pooled per
// sequence by llama.cpp. Truncation follows Ollama (§12): an input longer than the context is cut to fit
// (keeping its special tokens), or refused with truncate:false.

import { BadRequestError } from "../../util/errors.js";
import type { FlashAttention } from "../kv-cache.js";
import { structs as S } from "../native/index.js";
import type { EmbedResult } from "../types.js";
import { Batch } from "./batch.js";
import { LoadedModel, type Context } from "./model.js";

export const EMBED_TOO_LONG = "the input length exceeds the context length";

/** Sequences one embedding decode may hold (the context's n_seq_max; llama.cpp's LLAMA_MAX_SEQ is 256). */
export const EMBED_SEQS = 64;

/**
 * How many tokens one decode packs when it holds several inputs. Within a decode every token attends to every
 * other one (the mask hides other sequences' tokens only afterwards), so attention costs 2·T²·n_embd per layer
 * for T tokens beside 12·T·n_embd² for the weights: at T = n_embd/2 it is a twelfth of the work; 576 tokens of
 * a 128-wide BERT in one decode spent 17% of their time in attention. Below ~80 tokens a decode ran 35% slower
 * per token (measured on that model: 64 one-by-one inputs 19 ms, packs of 64 tokens 18 ms, of 128 to 256
 * tokens 13 ms, all 576 at once 14 ms), hence the floor of 128. Both sides of the ratio divide among threads
 * alike, and on many cores the fixed cost of a decode (one thread barrier per graph node) only grows, so the
 * same sizes hold there. Smaller decodes also keep llama.cpp's output buffer small: it holds n_vocab floats
 * per token of the largest decode, and zeroing it (70 MB for 576 tokens) cost 230 ms on the first request.
 * An input longer than this still goes alone in one decode.
 */
export function packedTokens(nEmbd: number): number {
  return Math.max(128, Math.ceil(nEmbd / 2));
}

export class Embedder {
  private readonly batch: Batch;
  private readonly pack: number;
  private readonly prefix: number[];
  private readonly suffix: number[];

  constructor(
    private readonly model: LoadedModel,
    private readonly ctx: Context,
    private readonly numCtx: number,
  ) {
    this.batch = new Batch(model.api, ctx.nBatch);
    this.pack = packedTokens(model.nEmbd);
    // The special tokens around every input, as the vocabulary adds them to a text.
    const specials = model.tokenize("", true, false);
    this.prefix = model.addBos && specials[0] === model.bos ? [model.bos] : [];
    this.suffix = specials.slice(this.prefix.length);
  }

  /** An embedding context where one input of up to `numCtx` tokens fits a decode. */
  /** `flashAttention` as for generation; the cache type stays f16 (a model built for embeddings has no KV cache). */
  static create(model: LoadedModel, o: { numCtx: number; numBatch?: number; threads: number; threadsBatch: number; flashAttention?: FlashAttention }): Embedder {
    const n = Math.max(o.numBatch ?? o.numCtx, o.numCtx);
    const opts = { nCtx: o.numCtx, nBatch: n, nUbatch: n, nSeqMax: EMBED_SEQS, kvUnified: true, embeddings: true, threads: o.threads, threadsBatch: o.threadsBatch, flashAttention: o.flashAttention };
    let ctx = model.createContext(opts);
    // A generation model has no pooling of its own: average its token vectors.
    if (ctx.pooling === S.LLAMA_POOLING_TYPE_NONE) {
      model.freeContext(ctx);
      ctx = model.createContext({ ...opts, pooling: 1 });
    }
    return new Embedder(model, ctx, o.numCtx);
  }

  /** Tokens of one input with the model's special tokens, cut to the context when `truncate`. */
  prepare(input: string, truncate: boolean): number[] {
    const { prefix, suffix } = this;
    const limit = Math.min(this.numCtx, this.ctx.nBatch) - 1;
    let body = this.model.tokenize(input, false, false);
    if (prefix.length + body.length + suffix.length > limit) {
      if (!truncate) throw new BadRequestError(EMBED_TOO_LONG);
      body = body.slice(0, Math.max(0, limit - prefix.length - suffix.length));
    }
    return [...prefix, ...body, ...suffix];
  }

  /** Pooled vectors of token sequences, in order. */
  run(seqs: number[][], isAborted: () => boolean = () => false): Float32Array[] {
    const api = this.model.api;
    const out: Float32Array[] = new Array(seqs.length);
    const nOut = this.ctx.pooling === S.LLAMA_POOLING_TYPE_RANK ? Math.max(1, api.llama_model_n_cls_out(this.model.ptr)) : api.llama_model_n_embd_out(this.model.ptr);
    let i = 0;
    while (i < seqs.length) {
      if (isAborted()) throw new BadRequestError("request canceled");
      const b = this.batch;
      b.clear();
      const first = i;
      while (i < seqs.length && i - first < EMBED_SEQS && (b.size === 0 || b.size + seqs[i].length <= Math.min(this.pack, b.capacity))) {
        const seq = i - first;
        seqs[i].forEach((t, pos) => b.add(t, pos, seq, true));
        i++;
      }
      // A model without a KV cache (an encoder: BERT and its kin) is encoded directly; llama_decode would log
      // that it falls back to llama_encode, on every request.
      let rc: number;
      if (this.ctx.mem) {
        api.llama_memory_clear(this.ctx.mem, true);
        rc = api.llama_decode(this.ctx.ptr, b.value);
      } else rc = api.llama_encode(this.ctx.ptr, b.value);
      if (rc !== 0) throw new BadRequestError(`failed to compute embeddings (${rc})`);
      for (let k = first; k < i; k++) {
        const ptr = api.llama_get_embeddings_seq(this.ctx.ptr, k - first);
        if (!ptr) throw new BadRequestError("this model does not produce pooled embeddings");
        out[k] = LoadedModel.floats(ptr, nOut).slice();
      }
    }
    if (this.ctx.mem) api.llama_memory_clear(this.ctx.mem, true);
    return out;
  }

  embed(inputs: string[], truncate: boolean): EmbedResult {
    const seqs = inputs.map((s) => this.prepare(s, truncate));
    const vectors = this.run(seqs);
    return { embeddings: vectors.map((v) => Array.from(v)), promptTokens: seqs.reduce((n, s) => n + s.length, 0) };
  }

  /** Relevance of each document (a reranker's classification score, squashed to 0..1). */
  rank(query: string, documents: string[]): number[] {
    const m = this.model;
    const q = m.tokenize(query, false, false);
    const limit = Math.min(this.numCtx, this.ctx.nBatch) - 1;
    const seqs = documents.map((d) => {
      const tokens = [
        ...(m.addBos && m.bos >= 0 ? [m.bos] : []),
        ...q,
        ...(m.addEos && m.eos >= 0 ? [m.eos] : []),
        ...(m.addSep && m.sep >= 0 ? [m.sep] : []),
        ...m.tokenize(d, false, false),
        ...(m.addEos && m.eos >= 0 ? [m.eos] : []),
      ];
      return tokens.slice(0, limit);
    });
    return this.run(seqs).map((v) => 1 / (1 + Math.exp(-v[0])));
  }

  dispose(): void {
    this.batch.dispose();
  }
}
