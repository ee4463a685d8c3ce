// Parent side of an engine runner: forks child.ts, speaks protocol.ts with it, and implements `Runner`.
// The child's death (crash, GGML_ASSERT, SIGKILL) rejects whatever was in flight with
// RunnerCrashedError and resolves `exited`; it never throws in the parent.

import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  BadRequestError,
  CanceledError,
  HerdError,
  InvalidOptionError,
  ModelLoadError,
  RunnerCrashedError,
} from "../../util/errors.js";
import type { KvCacheType } from "../kv-cache.js";
import type { CompletionChunk, CompletionRequest, EmbedResult, EstimateMemory, LoadOptions, MemoryUse, Runner } from "../types.js";
import { ChunkQueue } from "./chunk-queue.js";
import { estimateMemory } from "./estimate.js";
import type { ChildMessage, LoadedInfo, ParentMessage, WireError } from "./protocol.js";
import type { SpareChild } from "./spare.js";

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  onChunk?(chunk: CompletionChunk): void;
}

/** A child entry `name` relative to module `base`, with that module's extension (.ts under tsx, .js after tsc). */
export function childEntry(base: string = import.meta.url, name = "./child"): string {
  const ext = base.endsWith(".ts") ? ".ts" : ".js";
  return fileURLToPath(new URL(`${name}${ext}`, base));
}

/** Flags that must not reach the child: the test runner and debugger ports. */
export function childExecArgv(): string[] {
  return process.execArgv.filter((a) => !a.startsWith("--test") && !a.startsWith("--inspect") && !a.startsWith("--watch"));
}

/**
 * The child's environment: glibc's malloc marks its memory for transparent huge pages (where the kernel leaves
 * that to madvise, its default). llama.cpp's weights, KV cache and buffers are large allocations written whole
 * at load (the KV cache and output buffer are zeroed, the weights read in), one page fault per 4 KiB page
 * otherwise: synth-58M's model and context took 16,000 faults and ~350 ms of CPU on the build VM, with huge
 * pages ~2,000 faults, and its first request over HTTP took 0.9 s instead of 1.65 s (loaded machine, medians),
 * for 12 MB more resident memory (buffers touched in part round up to 2 MiB). The larger the model, the larger
 * both the saving and the TLB reach its matrix products gain. A value the user set wins.
 */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const tunables = env.GLIBC_TUNABLES;
  if (process.platform !== "linux" || tunables?.includes("glibc.malloc.hugetlb")) return env;
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:glibc.malloc.hugetlb=1` : "glibc.malloc.hugetlb=1" };
}

function reviveError(e: WireError): Error {
  switch (e.name) {
    case "BadRequestError":
      return new BadRequestError(e.message);
    case "ModelLoadError":
      return new ModelLoadError(e.message);
    case "InvalidOptionError":
      return new InvalidOptionError(e.message);
    default:
      return new HerdError(e.message);
  }
}

/** The CPU backend variant the first child chose; later children load it alone (see native/api.ts). */
let cpuBackend: string | undefined;

export interface CreateOptions {
  /** The child's entry (default: child.ts beside this file). */
  entry?: string;
  /** Default: `estimateMemory` with a cache of its own (one header read in this process). */
  estimate?: EstimateMemory;
  /** A child forked ahead of need, taken instead of forking (and refilled once this load is done). */
  spare?: SpareChild;
  /** Where the child's warnings and errors go (llama.cpp's, and the engine's own); default: nowhere. */
  onLog?: RunnerLog;
  /**
   * OLLAMA_LOAD_TIMEOUT: how long a load may go without progress (the child reports llama.cpp's) or a log line
   * before it is killed and fails; default none.
   */
  loadTimeoutMs?: number;
}

/**
 * Kills `child` when `timeoutMs` pass without a message from it (load progress, a log line), as Ollama's load
 * stall timer does; `progress` is the last fraction the child reported, `lastError` its last error line.
 */
function stallWatch(child: ChildProcess, timeoutMs: number | undefined): { readonly fired: boolean; readonly progress: number; readonly lastError: string; stop(): void } {
  const state = { fired: false, progress: 0, lastError: "", stop: () => {} };
  if (timeoutMs === undefined || !Number.isFinite(timeoutMs) || timeoutMs <= 0) return state;
  let timer: NodeJS.Timeout;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.fired = true;
      child.kill("SIGKILL");
    }, timeoutMs);
  };
  const onMessage = (msg: ChildMessage) => {
    if (msg.type === "progress") state.progress = msg.value;
    if (msg.type === "log" && msg.level === "error") state.lastError = msg.message;
    arm();
  };
  child.on("message", onMessage);
  arm();
  state.stop = () => {
    clearTimeout(timer);
    child.off("message", onMessage);
  };
  return state;
}

/** A warning or error line from a runner child, with its key=value fields (Ollama's slog shape). */
export type RunnerLog = (level: "warn" | "error", message: string, fields?: Record<string, number | string>) => void;

/** Forks an engine child: it imports the engine, says `ready` and waits for its `load` message. */
export function forkChild(entry: string = childEntry()): ChildProcess {
  return fork(entry, [], {
    execArgv: childExecArgv(),
    env: childEnv(),
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    serialization: "advanced",
  });
}

export class EngineRunner implements Runner {
  readonly exited: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private info: LoadedInfo | undefined;
  private used: MemoryUse = { ram: 0, vram: 0 };
  private dead = false;
  private readonly stderrTail: string[] = [];

  private constructor(
    readonly options: LoadOptions,
    private readonly child: ChildProcess,
    private readonly onLog?: RunnerLog,
  ) {
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, sig) => {
        this.dead = true;
        const detail = this.stderrTail.find((l) => /GGML_ASSERT|error|abort/i.test(l)) ?? (sig ? `signal ${sig}` : `exit status ${code}`);
        for (const p of this.pending.values()) p.reject(new RunnerCrashedError(detail));
        this.pending.clear();
        resolve();
      });
    });
    const keepTail = (data: Buffer) => {
      for (const line of data.toString().split("\n")) {
        if (!line.trim()) continue;
        this.stderrTail.push(line.trim());
        if (this.stderrTail.length > 20) this.stderrTail.shift();
      }
    };
    child.stderr?.on("data", keepTail);
    child.stdout?.on("data", keepTail);
    child.on("message", (msg: ChildMessage) => this.onMessage(msg));
    // An IPC write to a dying child errors asynchronously; the exit handler reports it.
    child.on("error", () => undefined);
  }

  /** Forks the engine's child and loads `options` in it. */
  static async create(options: LoadOptions, signal?: AbortSignal, opts: CreateOptions = {}): Promise<EngineRunner> {
    if (signal?.aborted) throw new CanceledError();
    const child = opts.spare?.take(options.numGpu === 0) ?? forkChild(opts.entry);
    const runner = new EngineRunner(options, child, opts.onLog);
    const onAbort = () => child.kill("SIGKILL");
    signal?.addEventListener("abort", onAbort, { once: true });
    const stall = stallWatch(child, opts.loadTimeoutMs);
    try {
      runner.info = (await runner.call({ type: "load", id: 0, options, cpuBackend })) as LoadedInfo;
      cpuBackend ??= runner.info.cpuBackend;
      // The header estimate the scheduler planned with, for the placement actually chosen. In this process, not
      // the child's: the server has the header cached, where the child would read and parse it again.
      // A child that fitted layers on a GPU reports the split it chose.
      runner.used = runner.info.memory ?? (await (opts.estimate ?? estimateMemory)({ ...options, numGpu: runner.info.gpu === false ? 0 : options.numGpu }));
      return runner;
    } catch (err) {
      child.kill("SIGKILL");
      if (signal?.aborted) throw new CanceledError();
      if (stall.fired) throw new ModelLoadError(`timed out waiting for llama runner to start - progress ${stall.progress.toFixed(2)} - ${stall.lastError}`);
      if (err instanceof RunnerCrashedError) {
        const tail = runner.stderrTail.filter((l) => /GGML_ASSERT|error|fail/i.test(l)).slice(-3).join("; ");
        throw new ModelLoadError(`llama runner process has terminated: ${tail || err.message}`);
      }
      throw err instanceof ModelLoadError ? err : new ModelLoadError((err as Error).message);
    } finally {
      stall.stop();
      signal?.removeEventListener("abort", onAbort);
      opts.spare?.fill();
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
  get contextSize(): number {
    return this.info!.contextSize;
  }
  get trainedContext(): number {
    return this.info!.trainedContext;
  }
  get memory(): MemoryUse {
    return this.used;
  }
  get threads(): number {
    return this.info!.threads;
  }
  /** The KV cache type the model got (undefined for an embedding runner). */
  get kvCacheType(): KvCacheType | undefined {
    return this.info!.kvCacheType;
  }

  private onMessage(msg: ChildMessage): void {
    if (msg.type === "log") return this.onLog?.(msg.level, msg.message, msg.fields);
    if (msg.type === "ready" || msg.type === "progress") return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    // The child merged the tokens of each batch already (ChunkBatcher).
    if (msg.type === "chunks") for (const c of msg.chunks) p.onChunk?.(c);
    else {
      this.pending.delete(msg.id);
      if (msg.type === "result") p.resolve(msg.value);
      else p.reject(reviveError(msg.error));
    }
  }

  /** Sends a request (its `id` is assigned here) and resolves with the child's result. */
  private call(msg: ParentMessage, onChunk?: (c: CompletionChunk) => void): Promise<unknown> {
    if (this.dead) return Promise.reject(new RunnerCrashedError());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onChunk });
      this.child.send({ ...msg, id });
    });
  }

  async tokenize(text: string, opts: { addSpecial?: boolean; parseSpecial?: boolean } = {}): Promise<number[]> {
    const msg = { type: "tokenize", id: 0, text, addSpecial: opts.addSpecial ?? true, parseSpecial: opts.parseSpecial ?? true } as const;
    return (await this.call(msg)) as number[];
  }

  async detokenize(tokens: number[]): Promise<string> {
    return (await this.call({ type: "detokenize", id: 0, tokens })) as string;
  }

  async *complete(req: CompletionRequest): AsyncIterable<CompletionChunk> {
    if (req.signal?.aborted) throw new CanceledError();
    const queue = new ChunkQueue<CompletionChunk>();
    const id = this.nextId;
    const done = this.call(
      {
        type: "complete",
        id: 0,
        request: {
          prompt: req.prompt,
          images: req.images,
          sampling: req.sampling,
          format: req.format,
          truncate: req.truncate,
          logprobs: req.logprobs,
          topLogprobs: req.topLogprobs,
        },
      },
      (c) => queue.push(c),
    );
    done.then(
      () => queue.end(),
      (err: Error) => queue.fail(err),
    );
    let finished = false;
    const abort = () => {
      if (!this.dead) this.child.send({ type: "abort", id } satisfies ParentMessage);
    };
    req.signal?.addEventListener("abort", abort, { once: true });
    try {
      for await (const chunk of queue) {
        if (req.signal?.aborted) break;
        // A consumer may stop at the final chunk (inference's does) before the child's result arrives: the
        // generation is over then, and an abort would only wake the child, and leave its id in its set of
        // aborted requests for good.
        if (chunk.type === "done") finished = true;
        yield chunk;
      }
      finished = true;
    } finally {
      req.signal?.removeEventListener("abort", abort);
      if (!finished) abort();
      // The runner is idle again only once the child has finished this request.
      await done.catch(() => undefined);
    }
    if (req.signal?.aborted) throw new CanceledError();
  }

  async embed(inputs: string[], opts: { truncate?: boolean; signal?: AbortSignal } = {}): Promise<EmbedResult> {
    if (opts.signal?.aborted) throw new CanceledError();
    return (await this.call({ type: "embed", id: 0, inputs, truncate: opts.truncate ?? true })) as EmbedResult;
  }

  async rank(query: string, documents: string[], signal?: AbortSignal): Promise<number[]> {
    if (signal?.aborted) throw new CanceledError();
    return (await this.call({ type: "rank", id: 0, query, documents })) as number[];
  }

  async close(): Promise<void> {
    if (!this.dead) {
      this.call({ type: "close", id: 0 }).catch(() => undefined);
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

/** `CreateRunner` for real models. */
export function createEngineRunner(opts: LoadOptions, signal?: AbortSignal): Promise<Runner> {
  return EngineRunner.create(opts, signal);
}

/**
 * `CreateRunner` whose runners take their memory estimate from `estimate` (the server's cached one) and the rest
 * of `CreateOptions` (the spare child, the log, the load timeout) from `opts`.
 */
export function engineRunners(estimate: EstimateMemory, opts: Omit<CreateOptions, "estimate" | "entry"> = {}): (load: LoadOptions, signal?: AbortSignal) => Promise<Runner> {
  return (load, signal) => EngineRunner.create(load, signal, { ...opts, estimate });
}
