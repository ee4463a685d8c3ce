// A llama_batch allocated by llama.cpp, written from JS through typed-array views over its arrays (no copy per
// token): one sequence id per token.

import koffi from "koffi";
import type { LlamaApi } from "../native/index.js";

interface RawBatch {
  n_tokens: number;
  token: unknown;
  embd: unknown;
  pos: unknown;
  n_seq_id: unknown;
  seq_id: unknown;
  logits: unknown;
}

export class Batch {
  readonly raw: RawBatch;
  private readonly token: Int32Array;
  private readonly pos: Int32Array;
  private readonly nSeq: Int32Array;
  private readonly seq: Int32Array[];
  private readonly logits: Int8Array;
  size = 0;

  constructor(
    private readonly api: LlamaApi,
    readonly capacity: number,
  ) {
    this.raw = api.llama_batch_init(capacity, 0, 1) as RawBatch;
    this.token = new Int32Array(koffi.view(this.raw.token, capacity * 4));
    this.pos = new Int32Array(koffi.view(this.raw.pos, capacity * 4));
    this.nSeq = new Int32Array(koffi.view(this.raw.n_seq_id, capacity * 4));
    this.logits = new Int8Array(koffi.view(this.raw.logits, capacity));
    const seqPtrs = koffi.decode(this.raw.seq_id, "void *", capacity) as unknown[];
    this.seq = seqPtrs.map((p) => new Int32Array(koffi.view(p, 4)));
  }

  get free(): number {
    return this.capacity - this.size;
  }

  /** Adds a token; returns its index in the batch (the output index when `output`). */
  add(token: number, pos: number, seq: number, output: boolean): number {
    const i = this.size++;
    this.token[i] = token;
    this.pos[i] = pos;
    this.nSeq[i] = 1;
    this.seq[i][0] = seq;
    this.logits[i] = output ? 1 : 0;
    return i;
  }

  clear(): void {
    this.size = 0;
  }

  /** The struct to pass to llama_decode / llama_encode. */
  get value(): RawBatch {
    this.raw.n_tokens = this.size;
    return this.raw;
  }

  dispose(): void {
    this.raw.n_tokens = 0;
    this.api.llama_batch_free(this.raw);
  }
}
