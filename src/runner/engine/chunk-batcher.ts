// Tokens go from the runner to the server in batches. Every IPC message wakes the server, which
// wakes the client; on two cores the woken processes preempt the generating one. Measured on the
// 260K model (about 1000 tokens/s), herd against a direct loop: one message per token 0.60×, one
// per 10 ms about 0.87×, one per 50 ms 0.94–0.99×. A chunk goes at once when the previous one left
// at least BATCH_MS ago — the first token, and every token of a model slower than 20 tokens/s, so
// batching never delays them — and otherwise waits until BATCH_MS after it; the last chunk never waits.
// The wait ends on whichever comes first: a token arriving BATCH_MS or more after the last chunk (a clock read
// per token, ~0.1 µs) or the timer. The runner's decode loop turns the event loop only when a message waits
// or every 10 ms (generator.ts), so the timer alone would hold a batch that long past its window.
// The tokens of a batch are merged as they arrive (see mergeTokens), so a batch crosses the process
// boundary as one chunk and the parent does its per-chunk work once per batch.

import type { CompletionChunk, TokenLogprob } from "../types.js";

export const BATCH_MS = 50;

export class ChunkBatcher {
  private pending: CompletionChunk[] = [];
  private timer?: NodeJS.Timeout;
  /** A chunk left less than the window ago: tokens wait for the window's end. */
  private cooling = false;
  /** When the last chunk left (performance.now()). */
  private sentAt = 0;

  constructor(
    private readonly sendChunks: (chunks: CompletionChunk[]) => void,
    private readonly windowMs = BATCH_MS,
  ) {}

  /** One generated token and the text it added: appended to the batch's token chunk in place, no chunk per token. */
  token(text: string, token: number, logprob?: TokenLogprob): void {
    const m = this.pending[this.pending.length - 1];
    if (m?.type === "token" && m.pieces) {
      m.text += text;
      m.pieces.push(text);
      m.tokens.push(token);
      if (logprob) (m.logprobs ??= []).push(logprob);
    } else {
      const c: CompletionChunk = { type: "token", text, tokens: [token], pieces: [text] };
      if (logprob) c.logprobs = [logprob];
      appendChunk(this.pending, c);
    }
    if (!this.cooling || performance.now() - this.sentAt >= this.windowMs) this.flush();
  }

  push(chunk: CompletionChunk): void {
    appendChunk(this.pending, chunk);
    if (chunk.type === "done") {
      this.flush();
      this.stopCooling();
    } else if (!this.cooling) this.flush();
  }

  flush(): void {
    if (!this.pending.length) return;
    const chunks = this.pending;
    this.pending = [];
    this.sendChunks(chunks);
    this.stopCooling();
    this.cooling = true;
    this.sentAt = performance.now();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.cooling = false;
      this.flush();
    }, this.windowMs);
    this.timer.unref();
  }

  private stopCooling(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.cooling = false;
  }
}

/**
 * Consecutive tokens of one batch become one chunk: everything above the runner (parsers, NDJSON, SSE, the
 * client) then does its per-chunk work once per batch instead of once per token, which leaves the CPU to the
 * model on small machines. Pieces and logprobs stay one entry per token, so the HTTP edge can still write one
 * line per token.
 */
export function mergeTokens(chunks: readonly CompletionChunk[]): CompletionChunk[] {
  const out: CompletionChunk[] = [];
  for (const c of chunks) appendChunk(out, c);
  return out;
}

/**
 * Appends `c` to `out`, merging it into the token chunk at the end. A token chunk enters `out` as a copy with
 * arrays of its own, so merging into it extends those arrays in place: a batch merges in linear time.
 */
function appendChunk(out: CompletionChunk[], c: CompletionChunk): void {
  const m = out[out.length - 1];
  if (c.type !== "token") {
    out.push(c);
    return;
  }
  if (m?.type !== "token") {
    const own: CompletionChunk = { type: "token", text: c.text, tokens: c.tokens.slice() };
    if (c.pieces) own.pieces = c.pieces.slice();
    if (c.logprobs) own.logprobs = c.logprobs.slice();
    out.push(own);
    return;
  }
  if (c.pieces && !m.pieces) m.pieces = [m.text];
  if (m.pieces) m.pieces.push(...(c.pieces ?? [c.text]));
  if (c.logprobs) (m.logprobs ??= []).push(...c.logprobs);
  m.text += c.text;
  for (const t of c.tokens) m.tokens.push(t);
}
