// A scripted Runner for scheduler and inference tests: no engine, deterministic, controllable.
// Prompt tokens are UTF-16 code units, generated tokens whole words; generation replays `script` word by word (greedy) or in a seeded
// shuffled order (temperature > 0), so it honours the same contract as the real runner.

import { CanceledError, ModelLoadError, RunnerCrashedError } from "../../util/errors.js";
import { StopMatcher } from "../stop-matcher.js";
import type { CompletionChunk, CompletionRequest, CreateRunner, EmbedResult, LoadOptions, MemoryUse, Runner } from "../types.js";
import { seededRandom } from "../../testing/random.js";

export interface FakeRunnerOptions {
  /** Text greedy generation produces. Defaults to stories260K's greedy continuation. */
  script?: string;
  /** Delay before each generated token, ms. */
  tokenDelayMs?: number;
  loadDelayMs?: number;
  memory?: MemoryUse;
  /** Reject the load with ModelLoadError(failLoad). */
  failLoad?: string;
}

export const FAKE_SCRIPT =
  ", there was a little girl named Lily. She loved to play with her toys and her friend. One day, she went to the park with her mom.";

const BOS = 1;
/** Generated tokens are whole script pieces, numbered from here; prompt tokens are code units. */
const PIECE_BASE = 0x10000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FakeRunner implements Runner {
  readonly exited: Promise<void>;
  readonly contextSize: number;
  readonly trainedContext = 2048;
  readonly memory: MemoryUse;
  closed = false;
  private exit!: () => void;
  private crashed = false;
  private readonly pieces: string[];
  /** Requests decoding now, and those waiting for one of the `numParallel` slots (FIFO). */
  private active = 0;
  private readonly slotWaiters: Array<() => void> = [];
  /** Most requests ever decoding at once (for tests of the slot limit). */
  peakActive = 0;

  constructor(
    readonly options: LoadOptions,
    private readonly fake: FakeRunnerOptions = {},
  ) {
    this.contextSize = options.numCtx;
    this.memory = fake.memory ?? { ram: 1_000_000, vram: 0 };
    this.pieces = (fake.script ?? FAKE_SCRIPT).match(/\S*\s*/g)!.filter((p) => p.length > 0);
    this.exited = new Promise((resolve) => (this.exit = resolve));
  }

  /** Simulates the child process dying: in-flight and later calls reject with RunnerCrashedError. */
  crash(): void {
    this.crashed = true;
    this.exit();
    for (const wake of this.slotWaiters.splice(0)) wake();
  }

  async tokenize(text: string, opts: { addSpecial?: boolean } = {}): Promise<number[]> {
    this.check();
    const codes = Array.from(text, (c) => c.charCodeAt(0));
    return opts.addSpecial === false ? codes : [BOS, ...codes];
  }

  async detokenize(tokens: number[]): Promise<string> {
    this.check();
    return tokens
      .filter((t) => t !== BOS)
      .map((t) => (t >= PIECE_BASE ? this.pieces[t - PIECE_BASE] : String.fromCharCode(t)))
      .join("");
  }

  /** Waits for a free slot, as a real runner queues requests beyond `numParallel`. */
  private async takeSlot(signal?: AbortSignal): Promise<() => void> {
    const slots = Math.max(1, this.options.numParallel ?? 1);
    while (this.active >= slots) {
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
      this.check();
      if (signal?.aborted) throw new CanceledError();
    }
    this.active++;
    this.peakActive = Math.max(this.peakActive, this.active);
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.active--;
      this.slotWaiters.shift()?.();
    };
  }

  async *complete(req: CompletionRequest): AsyncIterable<CompletionChunk> {
    this.check();
    const free = await this.takeSlot(req.signal);
    try {
      yield* this.generate(req);
    } finally {
      free();
    }
  }

  private async *generate(req: CompletionRequest): AsyncIterable<CompletionChunk> {
    const prompt = typeof req.prompt === "string" ? await this.tokenize(req.prompt) : req.prompt;
    const s = req.sampling;
    const random = s.temperature === 0 ? undefined : seededRandom(s.seed === undefined || s.seed < 0 ? Date.now() : s.seed);
    const stops = new StopMatcher(s.stop ?? []);
    const started = process.hrtime.bigint();
    const generated: number[] = [];
    let reason: "stop" | "length" = "stop";
    let stopped = false;
    for (let i = 0; i < this.pieces.length; i++) {
      if (generated.length >= s.numPredict) {
        reason = "length";
        break;
      }
      if (this.fake.tokenDelayMs) await sleep(this.fake.tokenDelayMs);
      this.check();
      if (req.signal?.aborted) throw new CanceledError();
      const index = random ? Math.floor(random() * this.pieces.length) : i;
      const piece = this.pieces[index];
      const tokens = [PIECE_BASE + index];
      generated.push(...tokens);
      const step = stops.push(piece);
      yield { type: "token", text: step.emit, tokens, pieces: [step.emit] };
      if (step.stopped) {
        stopped = true;
        break;
      }
    }
    if (!stopped) {
      const rest = stops.flush();
      if (rest) yield { type: "token", text: rest, tokens: [], pieces: [rest] };
    }
    const ns = Number(process.hrtime.bigint() - started);
    yield {
      type: "done",
      reason,
      tokens: [...prompt, ...generated],
      timings: { promptTokens: prompt.length, promptEvaluated: prompt.length, promptNs: 1, evalTokens: generated.length, evalNs: ns },
    };
  }

  async embed(inputs: string[], opts: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    this.check();
    const free = await this.takeSlot(opts.signal);
    free();
    const embeddings = inputs.map((t) => [t.length, 1, 0.5]);
    return { embeddings, promptTokens: inputs.reduce((n, t) => n + t.length + 1, 0) };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.exit();
    for (const wake of this.slotWaiters.splice(0)) wake();
  }

  private check(): void {
    if (this.crashed) throw new RunnerCrashedError("fake runner crashed");
    if (this.closed) throw new RunnerCrashedError("fake runner closed");
  }
}

/** A `CreateRunner` making FakeRunners; `loaded` lists every runner it created, in order. */
export function createFakeRunnerFactory(
  perLoad: (opts: LoadOptions) => FakeRunnerOptions = () => ({}),
): CreateRunner & { loaded: FakeRunner[] } {
  const loaded: FakeRunner[] = [];
  const create = async (opts: LoadOptions, signal?: AbortSignal): Promise<Runner> => {
    const fake = perLoad(opts);
    if (fake.loadDelayMs) await sleep(fake.loadDelayMs);
    if (signal?.aborted) throw new CanceledError();
    if (fake.failLoad) throw new ModelLoadError(fake.failLoad);
    const runner = new FakeRunner(opts, fake);
    loaded.push(runner);
    return runner;
  };
  return Object.assign(create, { loaded });
}
