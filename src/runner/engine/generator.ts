// Continuous batching over one context: up to `slots` completions decode together, one llama_decode per
// step. Each step carries one token for every generating slot and fills the rest of the batch with prompt
// chunks of slots still reading their prompt. Each slot is its own sequence with its own sampler and KV
// prefix (a new request takes the free slot whose cached tokens share the longest prefix with its prompt).
// Requests beyond the slots wait in FIFO order.
// Aborts and new requests arrive as IPC messages, which only a turn of the event loop delivers, and one turn
// (setImmediate) costs 17–21 µs median after a decode (p90 25–50 µs; cold caches), 2% of a 1 ms step. So after
// each step the loop asks the kernel whether its channel has input waiting (poll(2) through libc, 2–4 µs on
// the build VM, where a syscall costs 1.5 µs) and turns the event loop only when it has: an abort or a new
// request is seen after the step in progress, at any model speed. It turns it anyway every QUIET_YIELD_MS,
// for what has no fd to poll (V8's foreground tasks, timers, write callbacks); nothing in the child waits for
// it (the chunk batcher flushes on the clock as tokens come). Measured per 256-token generation (build VM,
// 2 threads): stories260K 39 turns, 2.7 ms → 7 turns, 0.7 ms plus 1.1 ms of polls; synth-58M 146 turns,
// 10 ms → 18 turns, 2.1 ms plus 1.2 ms of polls (~2% of its time).
// Without a channel to poll (Windows, no C library) it turns it after any step that ends YIELD_MS or more
// after the last turn: an abort then lands within max(one step, YIELD_MS).

import { BadRequestError, HerdError } from "../../util/errors.js";
import { fitPrompt, keptPrefix } from "../prompt-fit.js";
import { RunawayGuard } from "../runaway-guard.js";
import { StopMatcher } from "../stop-matcher.js";
import type { CompletionChunk, LoadOptions, Timings, TokenLogprob } from "../types.js";
import type { WireCompletion } from "./protocol.js";
import type { Ptr } from "../native/index.js";
import { Batch } from "./batch.js";
import { LoadedModel, type Context } from "./model.js";
import { logprobsOf, Sampler } from "./sampler.js";
import { fitMedia, prepareMedia } from "./media-prompt.js";
import { type MediaPrompt, Vision } from "./media.js";

/** Without a way to see waiting input: the longest the loop runs steps without looking at its messages. */
const YIELD_MS = 2;
/**
 * With one: the longest it runs without turning the event loop all the same. A quiet turn costs ~100 µs (the
 * work that waited for it runs then), so 10 ms keeps turns near 1% of a generation, on any core count (a turn
 * is one thread's work), and what waits for them (V8's GC-finalizing and idle tasks) no later than 10 ms.
 */
const QUIET_YIELD_MS = 10;

export interface Job {
  request: WireCompletion;
  /** One generated token and the text it added (held-back text adds ""). */
  token(text: string, token: number, logprob?: TokenLogprob): void;
  emit(chunk: CompletionChunk): void;
  isAborted(): boolean;
  /** Resolves the job (after its done chunk) or fails it. */
  finish(err?: Error): void;
  /** Builds the grammar sampler for `format`, or undefined. */
  grammar?: Ptr;
}

interface Active {
  job: Job;
  prompt: number[];
  /** Prompt tokens not yet decoded (from `cached.length`). */
  pending: number[];
  generated: number[];
  sampler: Sampler;
  stops: StopMatcher;
  utf8: TextDecoder;
  guard: RunawayGuard;
  timings: Timings;
  started: bigint;
  firstToken?: bigint;
  /** The sampled token to feed next step. */
  next?: number;
  /** Batch output index of this slot in the step being decoded. */
  out: number;
  wantProbs: boolean;
}

interface Slot {
  seq: number;
  /** Tokens in this sequence's KV cache, in position order. */
  cached: number[];
  active?: Active;
}

export class Generator {
  private readonly slots: Slot[];
  private readonly waiting: Job[] = [];
  private readonly batch: Batch;
  private running = false;
  /** The slots with a request, refilled each step (one array for the generator's life, not one per token). */
  private readonly busy: Slot[] = [];
  /** Ollama's num_ctx: the limit of one request, whatever the context's total size. */
  readonly perSlotCtx: number;

  constructor(
    private readonly model: LoadedModel,
    private readonly ctx: Context,
    private readonly load: LoadOptions,
    slots: number,
    /** The projector, when the model was loaded with one (media.ts). */
    private readonly vision?: Vision,
    /** Whether a message waits on the IPC channel (native/poll.ts), when the platform can tell. */
    private readonly inputWaiting?: () => boolean,
    /** The server log's warnings (a truncated prompt). */
    private readonly warn?: (message: string, fields: Record<string, number>) => void,
  ) {
    this.slots = Array.from({ length: slots }, (_, seq) => ({ seq, cached: [] }));
    this.batch = new Batch(model.api, ctx.nBatch);
    this.perSlotCtx = Math.min(load.numCtx, ctx.nCtx);
  }

  submit(job: Job): void {
    this.waiting.push(job);
    this.kick();
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    setImmediate(() => this.loop());
  }

  private async loop(): Promise<void> {
    const waiting = this.inputWaiting;
    const quiet = waiting ? QUIET_YIELD_MS : YIELD_MS;
    try {
      let since = performance.now();
      for (;;) {
        this.admit();
        const busy = this.busy;
        busy.length = 0;
        for (const s of this.slots) if (s.active) busy.push(s);
        if (busy.length === 0) break;
        this.step(busy);
        if (!waiting?.() && performance.now() - since < quiet) continue;
        // Let IPC messages in (aborts, new requests).
        await new Promise((r) => setImmediate(r));
        since = performance.now();
      }
    } finally {
      this.running = false;
    }
  }

  /** Moves waiting jobs into free slots, longest shared KV prefix first; drops waiting jobs already aborted. */
  private admit(): void {
    if (this.waiting.length === 0) return;
    for (const job of this.waiting.filter((j) => j.isAborted())) {
      this.waiting.splice(this.waiting.indexOf(job), 1);
      this.done(undefined, job, undefined);
    }
    while (this.waiting.length > 0) {
      const free = this.slots.filter((s) => !s.active);
      if (free.length === 0) return;
      const job = this.waiting.shift()!;
      try {
        this.start(job, free);
      } catch (err) {
        job.finish(err as Error);
      }
    }
  }

  private start(job: Job, free: Slot[]): void {
    const req = job.request;
    const s = req.sampling;
    const m = this.model;
    const numCtx = this.perSlotCtx;
    const numKeep = s.numKeep ?? 0;
    const shift = this.load.shift !== false;
    const media = req.images?.length ? prepareMedia(this.vision, req) : undefined;
    const raw = media ? media.positions : typeof req.prompt === "string" ? m.tokenize(req.prompt, true, true) : req.prompt.slice();
    if (!media) m.validate(raw);
    if (raw.length === 0) throw new BadRequestError("empty prompt");
    const hasBos = m.bos >= 0 && raw[0] === m.bos;
    // A prompt with images is never truncated (Ollama's rule): too long is a 400.
    const prompt = media ? fitMedia(raw, numCtx, media) : fitPrompt(raw, { numCtx, numKeep, hasBos, truncate: req.truncate !== false, shift });
    // Ollama's warning, word for word: the one trace of a cut prompt, which users and their tools look for.
    if (prompt.length < raw.length) {
      this.warn?.("truncating input prompt", { limit: prompt.length, prompt: raw.length, keep: keptPrefix(numCtx, numKeep, hasBos), new: prompt.length });
    }
    let slot = free[0];
    let best = -1;
    for (const f of free) {
      const n = commonPrefix(f.cached, prompt);
      if (n > best) [slot, best] = [f, n];
    }
    // At least the last prompt token is decoded again, for its logits.
    let reuse = Math.min(best, prompt.length - 1);
    if (media) reuse = Vision.backOff(media, reuse);
    if (slot.cached.length > reuse) {
      this.model.api.llama_memory_seq_rm(this.ctx.mem, slot.seq, reuse, -1);
      slot.cached.length = reuse;
    }
    const started = process.hrtime.bigint();
    let fed = reuse;
    if (media) fed = this.evaluateMedia(slot, media, reuse);
    const sampler = new Sampler(m.api, m.nVocab, s, { grammar: job.grammar, contextSize: numCtx, history: media ? prompt.filter((t) => t >= 0) : prompt });
    slot.active = {
      job,
      prompt,
      pending: prompt.slice(fed),
      generated: [],
      sampler,
      stops: new StopMatcher(s.stop ?? []),
      utf8: new TextDecoder("utf-8"),
      guard: new RunawayGuard(req.format !== undefined),
      timings: { promptTokens: prompt.length, promptEvaluated: prompt.length - reuse, promptNs: 0, evalTokens: 0, evalNs: 0 },
      started,
      out: -1,
      wantProbs: req.logprobs === true || (req.topLogprobs ?? 0) > 0,
    };
    if (s.numPredict <= 0) this.finishSlot(slot, "length");
  }

  /** Decodes a prompt's images (and the text between them) into the slot now; returns the next position to feed. */
  private evaluateMedia(slot: Slot, media: MediaPrompt, reuse: number): number {
    try {
      if (reuse < media.end) {
        try {
          this.vision!.evaluate(this.ctx.ptr, slot.seq, reuse, media, this.batch, this.ctx.nBatch);
        } catch (err) {
          this.model.api.llama_memory_seq_rm(this.ctx.mem, slot.seq, -1, -1);
          slot.cached = [];
          throw err;
        }
        slot.cached.push(...media.positions.slice(reuse, media.end));
      }
      return Math.max(reuse, media.end);
    } finally {
      media.free();
    }
  }

  /** One llama_decode for every busy slot. */
  private step(busy: Slot[]): void {
    const b = this.batch;
    b.clear();
    for (const slot of busy) {
      const a = slot.active!;
      a.out = -1;
      if (a.job.isAborted()) {
        this.finishSlot(slot, "stop");
        continue;
      }
      if (a.next !== undefined) {
        if (!this.makeRoom(slot)) continue;
        a.out = b.add(a.next, slot.cached.length, slot.seq, true);
        slot.cached.push(a.next);
        a.next = undefined;
      }
    }
    // Prompt chunks fill what the generating slots left of the batch.
    for (const slot of busy) {
      const a = slot.active;
      if (!a || a.pending.length === 0 || b.free === 0) continue;
      const n = Math.min(a.pending.length, b.free);
      for (let i = 0; i < n; i++) {
        const last = i === a.pending.length - 1;
        const idx = b.add(a.pending[i], slot.cached.length, slot.seq, last);
        slot.cached.push(a.pending[i]);
        if (last) a.out = idx;
      }
      a.pending = a.pending.slice(n);
    }
    if (b.size === 0) return;
    const rc = this.model.api.llama_decode(this.ctx.ptr, b.value);
    if (rc !== 0) {
      const err = new HerdError(rc === 1 ? "no room left in the context for this batch" : `llama_decode failed (${rc})`);
      for (const slot of busy) if (slot.active && slot.active.out >= 0) this.failSlot(slot, err);
      return;
    }
    for (const slot of busy) {
      const a = slot.active;
      if (!a || a.out < 0) continue;
      try {
        this.afterDecode(slot, a);
      } catch (err) {
        this.failSlot(slot, err as Error);
      }
    }
  }

  private afterDecode(slot: Slot, a: Active): void {
    const m = this.model;
    const logits = a.wantProbs ? LoadedModel.floats(m.api.llama_get_logits_ith(this.ctx.ptr, a.out), m.nVocab).slice() : undefined;
    const token = a.sampler.sample(this.ctx.ptr, a.out);
    a.firstToken ??= process.hrtime.bigint();
    if (m.isEog(token)) return this.finishSlot(slot, "stop");
    a.generated.push(token);
    const piece = a.utf8.decode(m.pieceBytes(token), { stream: true });
    if (a.guard.shouldEnd(piece)) return this.finishSlot(slot, "stop");
    const step = a.stops.push(piece);
    const req = a.job.request;
    a.job.token(step.emit, token, logits ? logprobsOf(m, logits, token, m.pieceText(token), req.topLogprobs ?? 0) : undefined);
    if (step.stopped) return this.finishSlot(slot, "stop", true);
    if (a.generated.length >= req.sampling.numPredict) return this.finishSlot(slot, "length");
    a.next = token;
  }

  /**
   * Before decoding one more token: at the context's end, shift (drop half of what follows num_keep, as
   * Ollama does) or end the request with reason length when shifting is off.
   */
  private makeRoom(slot: Slot): boolean {
    const a = slot.active!;
    if (slot.cached.length + 1 < this.perSlotCtx) return true;
    if (this.load.shift === false) {
      this.finishSlot(slot, "length");
      return false;
    }
    const s = a.job.request.sampling;
    const hasBos = this.model.bos >= 0 && a.prompt[0] === this.model.bos;
    const keep = keptPrefix(this.perSlotCtx, s.numKeep ?? 0, hasBos);
    const discard = Math.max(1, Math.floor((this.perSlotCtx - keep) / 2));
    const api = this.model.api;
    api.llama_memory_seq_rm(this.ctx.mem, slot.seq, keep, keep + discard);
    api.llama_memory_seq_add(this.ctx.mem, slot.seq, keep + discard, -1, -discard);
    slot.cached.splice(keep, discard);
    return true;
  }

  private finishSlot(slot: Slot, reason: "stop" | "length", stopped = false): void {
    const a = slot.active!;
    slot.active = undefined;
    if (!stopped) {
      const rest = a.stops.flush() + a.utf8.decode();
      if (rest) a.job.emit({ type: "token", text: rest, tokens: [], pieces: [rest] });
    }
    const now = process.hrtime.bigint();
    const t = a.timings;
    t.evalTokens = a.generated.length;
    t.promptNs = Number((a.firstToken ?? now) - a.started);
    t.evalNs = a.firstToken ? Number(now - a.firstToken) : 0;
    a.sampler.free();
    // Image positions (negative pseudo ids) are not tokens a client could send back.
    this.done(reason, a.job, { timings: t, tokens: [...a.prompt.filter((id) => id >= 0), ...a.generated] });
  }

  private failSlot(slot: Slot, err: Error): void {
    const a = slot.active!;
    slot.active = undefined;
    a.sampler.free();
    // What this sequence holds is unknown now: drop it.
    this.model.api.llama_memory_seq_rm(this.ctx.mem, slot.seq, -1, -1);
    slot.cached = [];
    a.job.finish(err);
  }

  private done(reason: "stop" | "length" | undefined, job: Job, info: { timings: Timings; tokens: number[] } | undefined): void {
    const timings = info?.timings ?? { promptTokens: 0, promptEvaluated: 0, promptNs: 0, evalTokens: 0, evalNs: 0 };
    job.emit({ type: "done", reason: reason ?? "stop", timings, tokens: info?.tokens ?? [] });
    job.finish();
  }

  dispose(): void {
    this.batch.dispose();
  }
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
