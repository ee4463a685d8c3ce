// Child-process entry of herd's own engine: one model loaded through the native binding, served to the
// parent over IPC (protocol.ts; runner.ts is the parent). A GGML_ASSERT or a
// segfault here ends only this process; the parent reports it like a SIGKILL.

import { BadRequestError, InvalidOptionError, ModelLoadError } from "../../util/errors.js";
import { ChunkBatcher } from "./chunk-batcher.js";
import type { ChildMessage, LoadedInfo, ParentMessage, ProbeResult, WireCompletion } from "./protocol.js";
import { captureLog, gpuDevices, inputWaiting, loadLlama, loadLlamaLibrary, structs as S, type LlamaApi, type Ptr } from "../native/index.js";
import { cpuTopology, resolveThreads } from "../threads.js";
import type { KvCacheType } from "../kv-cache.js";
import type { LoadOptions } from "../types.js";
import { Embedder } from "./embed.js";
import { planLoad } from "./estimate.js";
import { Generator } from "./generator.js";
import { Vision } from "./media.js";
import { LoadedModel, type Context, type ContextOptions } from "./model.js";

interface Engine {
  api: LlamaApi;
  model: LoadedModel;
  options: LoadOptions;
  threads: { threads: number; threadsBatch: number };
  ctx?: Context;
  generator?: Generator;
  embedder?: Embedder;
}

/** The process title of a runner with a model loaded. */
const RUNNER_TITLE = "herd runner";

let engine: Engine | undefined;
const recentErrors: string[] = [];
const aborted = new Set<number>();
/** Requests handled one at a time (embed, rank): generation has its own scheduler. */
let queue: Promise<unknown> = Promise.resolve();

function send(msg: ChildMessage): void {
  process.send?.(msg);
}

/** While set, log messages wait here instead of going to the parent: the errors of an attempt that may be retried. */
let heldLogs: ChildMessage[] | undefined;

/** llama.cpp's log during load: errors are kept for the load error's message, warnings go to the parent. */
let logLine = "";
function onLog(level: number, text: string): void {
  if (level === S.GGML_LOG_LEVEL_CONT) logLine += text;
  else logLine = text;
  if (!logLine.endsWith("\n")) return;
  const line = logLine.trim();
  logLine = "";
  if (!line) return;
  if (level === S.GGML_LOG_LEVEL_ERROR || (level === S.GGML_LOG_LEVEL_CONT && recentErrors.length)) {
    recentErrors.push(line);
    if (recentErrors.length > 5) recentErrors.shift();
  }
  if (level === S.GGML_LOG_LEVEL_ERROR || level === S.GGML_LOG_LEVEL_WARN) {
    const msg: ChildMessage = { type: "log", level: level === S.GGML_LOG_LEVEL_ERROR ? "error" : "warn", message: line };
    if (heldLogs) heldLogs.push(msg);
    else send(msg);
  }
}

/**
 * The generation context, with the KV cache type asked for; a quantized type llama.cpp refuses for this model
 * (its blocks do not divide the attention heads) gives way to f16 with a warning, as the memory estimate
 * assumed (fit.ts, kvCacheFor), instead of failing the load. The refusal's error lines are held back and only
 * quoted in that warning: the server log should not show an ERROR for a load that went on.
 */
function generationContext(model: LoadedModel, o: ContextOptions): { ctx: Context; kvCacheType: KvCacheType } {
  const kvCacheType = o.kvCacheType ?? "f16";
  if (kvCacheType === "f16") return { ctx: model.createContext(o), kvCacheType };
  recentErrors.length = 0;
  const held: ChildMessage[] = (heldLogs = []);
  let ctx: Context | undefined;
  try {
    ctx = model.createContext(o);
  } catch {
    // The refusal's lines are dropped below; the warning quotes its errors.
  } finally {
    heldLogs = undefined;
  }
  if (ctx) {
    for (const msg of held) send(msg);
    return { ctx, kvCacheType };
  }
  const reason = recentErrors.splice(0).join("; ");
  send({ type: "log", level: "warn", message: `KV cache type ${kvCacheType} does not fit this model (${reason}); using f16` });
  return { ctx: model.createContext({ ...o, kvCacheType: "f16" }), kvCacheType: "f16" };
}

/**
 * Load progress to the parent, whose stall timer (OLLAMA_LOAD_TIMEOUT) it resets: every whole percent, sent from
 * inside llama.cpp's synchronous load (an IPC write goes out at once even while the event loop is blocked).
 */
function reportProgress(): (progress: number) => void {
  let sent = -1;
  return (progress) => {
    const pct = Math.floor(progress * 100);
    if (pct === sent) return;
    sent = pct;
    send({ type: "progress", value: progress });
  };
}

async function load(options: LoadOptions, cpuBackend: string | undefined): Promise<LoadedInfo> {
  process.title = RUNNER_TITLE;
  const api = loadLlama({ gpu: options.numGpu !== 0, cpuBackend });
  // The layers the GPUs' free memory holds now (none without a GPU), by the policy the scheduler planned with.
  // A header herd cannot read still goes to llama.cpp (on the CPU), whose logged error says what is wrong.
  // Without a GPU there is nothing to fit, and the header is not read here (the parent estimates from its cache).
  const devices = options.numGpu === 0 ? [] : gpuDevices(api);
  const planned = devices.length ? await planLoad(options, devices).catch((err: Error) => err) : undefined;
  const placement = planned === undefined || planned instanceof Error ? { gpuLayers: 0, tensorSplit: undefined, memory: undefined } : planned;
  // After load llama.cpp logs to stderr, whose tail the parent keeps for crash reports.
  const restoreLog = captureLog(api, onLog);
  try {
    const cpuOnly = placement.gpuLayers === 0;
    const model = LoadedModel.load(api, options.modelPath, {
      // On CPU the weights are repacked and the mmap kept as well: no mmap halves resident memory.
      useMmap: options.useMmap ?? !cpuOnly,
      gpuLayers: placement.gpuLayers,
      tensorSplit: placement.tensorSplit,
      mainGpu: options.mainGpu,
      onProgress: reportProgress(),
    });
    if (planned instanceof Error) throw planned;
    const threads = resolveThreads(options.numThread, cpuTopology(), S.GGML_MAX_N_THREADS);
    if (options.numThread !== undefined && options.numThread > threads.threads) {
      send({ type: "log", level: "warn", message: "num_thread is more than this machine's CPUs; using fewer", fields: { requested: options.numThread, threads: threads.threads } });
    }
    const e: Engine = { api, model, options, threads };
    const slots = Math.max(1, Math.floor(options.numParallel ?? 1));
    let kvCacheType: KvCacheType | undefined;
    if (options.embedding) {
      e.embedder = Embedder.create(model, { ...options, ...threads });
    } else {
      if (!api.llama_model_has_decoder(model.ptr)) throw new ModelLoadError("this model does not support generation");
      const nBatch = Math.min(options.numBatch ?? 512, options.numCtx);
      const made = generationContext(model, {
        // One num_ctx per slot, each slot its own KV stream (not one unified cache). Measured with the C-API
        // loop on synth-58M, 2 threads: one sequence on a 4-stream context runs at 1.00–1.02× a 1-sequence
        // context, on a 4-sequence unified cache at 0.93–0.95×; four sequences together run 5% faster on
        // streams. llama.cpp batches streams only in runs of consecutive sequence ids, so three requests on
        // slots 0, 1 and 3 take two graph computes a step (15% slower than unified); new requests take the
        // lowest free slot when no slot's cache gives them a longer prefix, which keeps the runs unbroken.
        nCtx: options.numCtx * slots,
        nBatch,
        nSeqMax: slots,
        kvUnified: false,
        embeddings: false,
        ...threads,
        flashAttention: options.flashAttention,
        kvCacheType: options.kvCacheType,
      });
      e.ctx = made.ctx;
      kvCacheType = made.kvCacheType;
      applyAdapters(e, e.ctx);
      // The projector loads beside the weights; its encoder uses the prompt-phase thread count.
      const vision = options.projectorPath
        ? Vision.load(api, model, options.projectorPath, { gpu: !cpuOnly, threads: threads.threadsBatch })
        : undefined;
      // The IPC channel's fd (POSIX; Node's channel handle exposes it), polled by the decode loop after each step.
      const channel = (process.channel as { fd?: number } | undefined)?.fd;
      e.generator = new Generator(model, e.ctx, options, slots, vision, inputWaiting(channel), (message, fields) =>
        send({ type: "log", level: "warn", message, fields }),
      );
    }
    engine = e;
    return {
      contextSize: e.ctx ? Math.min(e.ctx.nCtx, options.numCtx) : options.numCtx,
      trainedContext: model.trainedContext,
      threads: threads.threads,
      gpu: cpuOnly ? false : api.lib.variant || false,
      cpuBackend: api.cpuBackend,
      memory: placement.memory,
      kvCacheType,
    };
  } catch (err) {
    const reason = recentErrors.length ? `: ${recentErrors.join("; ")}` : "";
    throw new ModelLoadError(`${(err as Error).message}${reason}`);
  } finally {
    restoreLog();
  }
}

function applyAdapters(e: Engine, ctx: Context): void {
  const paths = e.options.adapters ?? [];
  if (!paths.length) return;
  const adapters: Ptr[] = paths.map((p) => {
    const a = e.api.llama_adapter_lora_init(e.model.ptr, p);
    if (!a) throw new ModelLoadError(`failed to load LoRA adapter ${p}`);
    return a;
  });
  const rc = e.api.llama_set_adapters_lora(ctx.ptr, adapters, adapters.length, new Float32Array(adapters.length).fill(1));
  if (rc !== 0) throw new ModelLoadError("failed to apply LoRA adapters");
}

function need(): Engine {
  if (!engine) throw new ModelLoadError("model not loaded");
  return engine;
}

/**
 * The JSON-schema converter, imported once the child is ready (below), off the path of its first request. Imported
 * on the first request with a `format` instead, it arrived ~200 ms late beside a running generation: each step of
 * a module import waits for a turn of the event loop, which a busy decode loop turns every 10 ms. A spare child
 * (spare.ts) finishes the import while it waits for its model.
 */
let grammar: Promise<typeof import("../grammar/index.js")> | undefined;
const importGrammar = () => (grammar ??= import("../grammar/index.js"));

async function grammarFor(e: Engine, format: WireCompletion["format"]): Promise<Ptr | undefined> {
  if (format === undefined) return undefined;
  const { formatToGbnf } = await importGrammar();
  const g = e.api.llama_sampler_init_grammar(e.model.vocab, formatToGbnf(format), "root");
  if (!g) throw new InvalidOptionError(`invalid format: ${JSON.stringify(format)}; the grammar for it failed to parse`);
  return g;
}

async function complete(id: number, request: WireCompletion): Promise<null> {
  const e = need();
  if (!e.generator) throw new BadRequestError("this model does not support generate");
  const out = new ChunkBatcher((chunks) => send({ type: "chunks", id, chunks }));
  const grammar = await grammarFor(e, request.format);
  return new Promise((resolve, reject) => {
    e.generator!.submit({
      request,
      grammar,
      isAborted: () => aborted.has(id),
      token: (text, token, logprob) => out.token(text, token, logprob),
      emit: (chunk) => out.push(chunk),
      finish: (err) => {
        out.flush();
        if (err) reject(err);
        else resolve(null);
      },
    });
  });
}

/**
 * Loads the libraries a model load would load (a GPU package when one loads, else the CPU package) and lists
 * their GPUs with free memory now. With the CPU package there is no GPU and nothing more to load (no CPU variant
 * scoring). The libraries stay loaded for this process's model (spare.ts hands it only loads they serve).
 */
function probe(): ProbeResult {
  const lib = loadLlamaLibrary();
  return { devices: lib.variant ? gpuDevices(loadLlama()) : [], variant: lib.variant };
}

function embedder(e: Engine): Embedder {
  e.embedder ??= Embedder.create(e.model, { ...e.options, ...e.threads });
  return e.embedder;
}

async function handle(msg: ParentMessage): Promise<unknown> {
  switch (msg.type) {
    case "load":
      return load(msg.options, msg.cpuBackend);
    case "tokenize": {
      const m = need().model;
      return m.tokenize(msg.text, msg.addSpecial, msg.parseSpecial);
    }
    case "detokenize":
      return need().model.detokenize(msg.tokens);
    case "complete":
      return complete(msg.id, msg.request);
    case "embed":
      return embedder(need()).embed(msg.inputs, msg.truncate);
    case "rank":
      return embedder(need()).rank(msg.query, msg.documents);
    case "probe":
      return probe();
    case "close":
      send({ type: "result", id: msg.id, value: null });
      process.exit(0);
    // eslint-disable-next-line no-fallthrough
    case "abort":
      return null;
  }
}

function reply(id: number, p: Promise<unknown>): Promise<void> {
  return p.then(
    (value) => send({ type: "result", id, value }),
    (err: Error) => send({ type: "error", id, error: { name: err.name ?? "Error", message: err.message ?? String(err) } }),
  );
}

process.on("message", (msg: ParentMessage) => {
  if (msg.type === "abort") {
    aborted.add(msg.id);
    return;
  }
  if (msg.type === "complete") {
    // Completions go to the generator at once: it batches them across its slots.
    void reply(msg.id, handle(msg)).finally(() => aborted.delete(msg.id));
    return;
  }
  if (msg.type === "tokenize" || msg.type === "detokenize") {
    void reply(msg.id, handle(msg));
    return;
  }
  queue = queue.then(() => reply(msg.id, handle(msg)).finally(() => aborted.delete(msg.id)));
});

process.on("disconnect", () => process.exit(0));
// What `ps` shows: a spare waiting for a model (spare.ts), then the runner of one (Ollama's show as `ollama runner`).
process.title = `${RUNNER_TITLE} (spare)`;
send({ type: "ready" });
setImmediate(() => void importGrammar());
