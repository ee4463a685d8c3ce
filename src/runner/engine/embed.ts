// Embeddings and reranking: a request's inputs go through in as few decodes as possible, one sequence per
// input, pooled per sequence by llama.cpp. Truncation follows Ollama (§12): an input longer than the context
// is cut to fit (keeping its special tokens), or refused with truncate:false.

import { BadRequestError } from "../../util/errors.js";
import type { EmbedResult } from "../types.js";
import { Batch } from "./batch.js";
import { LoadedModel, type Context } from "./model.js";

export const EMBED_TOO_LONG = "the input length exceeds the context length";

/** Sequences one embedding decode may hold (llama.cpp's LLAMA_MAX_SEQ is 256). */
export const EMBED_SEQS = 64;

export class Embedder {
  private readonly batch: Batch;

  constructor(
    private readonly model: LoadedModel,
    private readonly ctx: Context,
    private readonly numCtx: number,
  ) {
    this.batch = new Batch(model.api, ctx.nBatch);
  }

  /** Tokens of one input with the model's special tokens, cut to the context when `truncate`. */
  prepare(input: string, truncate: boolean): number[] {
    const m = this.model;
    const bare = m.tokenize(input, false, false);
    const specials = m.tokenize("", true, false);
    const prefix = m.addBos && specials[0] === m.bos ? [m.bos] : [];
    const suffix = specials.slice(prefix.length);
    const limit = Math.min(this.numCtx, this.ctx.nBatch) - 1;
    let body = bare;
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
    const nOut = this.ctx.pooling === 4 ? Math.max(1, api.llama_model_n_cls_out(this.model.ptr)) : api.llama_model_n_embd_out(this.model.ptr);
    let i = 0;
    while (i < seqs.length) {
      if (isAborted()) throw new BadRequestError("request canceled");
      const b = this.batch;
      b.clear();
      const first = i;
      while (i < seqs.length && i - first < EMBED_SEQS && (b.size === 0 || b.free >= seqs[i].length)) {
        const seq = i - first;
        seqs[i].forEach((t, pos) => b.add(t, pos, seq, true));
        i++;
      }
      if (this.ctx.mem) api.llama_memory_clear(this.ctx.mem, true);
      const rc = api.llama_decode(this.ctx.ptr, b.value);
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
