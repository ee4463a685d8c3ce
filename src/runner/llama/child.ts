// Child-process entry: owns one model loaded with node-llama-cpp and serves the parent over IPC
// (protocol.ts). A GGML_ASSERT here aborts only this process; the parent turns that into errors.

import { availableParallelism } from "node:os";
import {
  getLlama,
  LlamaLogLevel,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaEmbeddingContext,
  type LlamaGpuType,
  type LlamaModel,
  type LlamaRankingContext,
  type Token,
} from "node-llama-cpp";
import { BadRequestError, ModelLoadError } from "../../util/errors.js";
import type { CompletionChunk, EmbedResult, LoadOptions } from "../types.js";
import { ChunkBatcher } from "./chunk-batcher.js";
import { generate, tokenizePrompt } from "./generate.js";
import { estimateLoaded } from "./estimate.js";
import type { ChildMessage, LoadedInfo, ParentMessage } from "./protocol.js";

interface Engine {
  llama: Llama;
  model: LlamaModel;
  options: LoadOptions;
  threads: number;
  context?: LlamaContext;
  sequence?: LlamaContextSequence;
  embedding?: LlamaEmbeddingContext;
  /** More embedding contexts, created on the first batch that can use them. */
  extraEmbeddings?: LlamaEmbeddingContext[];
  ranking?: LlamaRankingContext;
}

const EMBED_TOO_LONG = "the input length exceeds the context length";
let engine: Engine | undefined;
const recentErrors: string[] = [];
const aborted = new Set<number>();
let queue: Promise<unknown> = Promise.resolve();

function send(msg: ChildMessage): void {
  process.send?.(msg);
}

function logger(level: LlamaLogLevel, message: string): void {
  const text = message.trim();
  if (!text) return;
  if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) {
    recentErrors.push(text);
    if (recentErrors.length > 5) recentErrors.shift();
  }
  if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal || level === LlamaLogLevel.warn)
    send({ type: "log", level: String(level), message: text });
}

async function load(options: LoadOptions, gpuHint: string | false | undefined): Promise<LoadedInfo> {
  // node-llama-cpp attaches no persistent thread pool, so a second thread loses on generation: one by default.
  const threads = options.numThread !== undefined && options.numThread > 0 ? Math.floor(options.numThread) : 1;
  const llama = await getLlama({
    gpu: options.numGpu === 0 ? false : ((gpuHint as LlamaGpuType | undefined) ?? "auto"),
    build: "never",
    skipDownload: true,
    progressLogs: false,
    maxThreads: threads,
    logLevel: LlamaLogLevel.warn,
    logger,
  });
  try {
    const cpuOnly = llama.gpu === false || options.numGpu === 0;
    const model = await llama.loadModel({
      modelPath: options.modelPath,
      gpuLayers: options.numGpu === undefined || options.numGpu < 0 ? "auto" : options.numGpu,
      // On CPU the weights are repacked and the mmap kept as well: no mmap halves resident memory.
      useMmap: options.useMmap ?? !cpuOnly,
    });
    const e: Engine = { llama, model, options, threads };
    const batchSize = Math.min(options.numBatch ?? 512, options.numCtx);
    if (options.embedding) {
      e.embedding = await model.createEmbeddingContext({ contextSize: options.numCtx, batchSize: options.numBatch ?? options.numCtx, threads });
    } else {
      e.context = await model.createContext({
        contextSize: options.numCtx,
        batchSize,
        threads,
        sequences: 1,
        lora: options.adapters?.length ? { adapters: options.adapters.map((filePath) => ({ filePath })) } : undefined,
      });
      e.sequence = e.context.getSequence();
    }
    engine = e;
    const contextSize = e.context?.contextSize ?? options.numCtx;
    return {
      contextSize,
      trainedContext: model.trainContextSize,
      threads,
      gpu: llama.gpu,
      memory: await estimateLoaded(model, { contextSize, batchSize, embedding: options.embedding === true }),
    };
  } catch (err) {
    await llama.dispose().catch(() => undefined);
    const reason = recentErrors.length ? `: ${recentErrors.join("; ")}` : "";
    throw new ModelLoadError(`${(err as Error).message}${reason}`);
  }
}

function need(): Engine {
  if (!engine) throw new ModelLoadError("model not loaded");
  return engine;
}

/**
 * Embedding contexts working through one batch side by side. node-llama-cpp pools one sequence per
 * context, so a batch is spread over up to this many contexts (one thread each) instead of queued on
 * one: on two cores, 64 short inputs take about half the time.
 */
const EMBED_CONTEXTS = Math.max(1, Math.min(2, availableParallelism()));

async function embed(inputs: string[], truncate: boolean): Promise<EmbedResult> {
  const e = need();
  const ctxOptions = { contextSize: e.options.numCtx, batchSize: e.options.numBatch ?? e.options.numCtx, threads: e.threads };
  e.embedding ??= await e.model.createEmbeddingContext(ctxOptions);
  const first = e.embedding;
  const limit = e.options.numCtx - 1;
  // Every input is checked before any is embedded, so a too-long one fails the batch up front.
  let promptTokens = 0;
  const prepared = inputs.map((input) => {
    let tokens = e.model.tokenize(input, false) as number[];
    const extra = first.calculateInputLength(tokens as Token[]) - tokens.length;
    if (tokens.length + extra > limit) {
      if (!truncate) throw new BadRequestError(EMBED_TOO_LONG);
      tokens = tokens.slice(0, Math.max(0, limit - extra));
    }
    promptTokens += first.calculateInputLength(tokens as Token[]);
    return tokens as Token[];
  });
  const wanted = Math.min(EMBED_CONTEXTS, prepared.length);
  e.extraEmbeddings ??= [];
  while (e.extraEmbeddings.length < wanted - 1) e.extraEmbeddings.push(await e.model.createEmbeddingContext(ctxOptions));
  const contexts = [first, ...e.extraEmbeddings].slice(0, Math.max(1, wanted));
  const embeddings: number[][] = new Array(prepared.length);
  let next = 0;
  await Promise.all(
    contexts.map(async (ctx) => {
      while (next < prepared.length) {
        const i = next++;
        embeddings[i] = [...(await ctx.getEmbeddingFor(prepared[i])).vector];
      }
    }),
  );
  return { embeddings, promptTokens };
}

async function rank(query: string, documents: string[]): Promise<number[]> {
  const e = need();
  e.ranking ??= await e.model.createRankingContext({ contextSize: e.options.numCtx, threads: e.threads });
  return e.ranking.rankAll(query, documents);
}

async function handle(msg: ParentMessage): Promise<unknown> {
  switch (msg.type) {
    case "load":
      return load(msg.options, msg.gpu);
    case "tokenize":
      return tokenizePrompt(need().model, msg.text, msg.addSpecial, msg.parseSpecial);
    case "detokenize":
      return need().model.detokenize(msg.tokens as Token[], false);
    case "complete": {
      const e = need();
      if (!e.sequence) throw new BadRequestError("this model does not support generate");
      const out = new ChunkBatcher((chunks) => send({ type: "chunks", id: msg.id, chunks }));
      try {
        await generate(
          {
            llama: e.llama,
            model: e.model,
            sequence: e.sequence,
            load: e.options,
            isAborted: () => aborted.has(msg.id),
            emit: (chunk) => out.push(chunk),
          },
          msg.request,
        );
      } finally {
        out.flush();
      }
      return null;
    }
    case "embed":
      return embed(msg.inputs, msg.truncate);
    case "rank":
      return rank(msg.query, msg.documents);
    case "close":
      await engine?.llama.dispose().catch(() => undefined);
      send({ type: "result", id: msg.id, value: null });
      process.exit(0);
    // eslint-disable-next-line no-fallthrough
    case "abort":
      return null;
  }
}

process.on("message", (msg: ParentMessage) => {
  if (msg.type === "abort") {
    aborted.add(msg.id);
    return;
  }
  if (msg.type === "tokenize" || msg.type === "detokenize") {
    // Synchronous and cheap: answered at once, even while a completion streams.
    handle(msg).then(
      (value) => send({ type: "result", id: msg.id, value }),
      (err: Error) => send({ type: "error", id: msg.id, error: { name: err.name, message: err.message } }),
    );
    return;
  }
  // Engine work runs one request at a time; tokenize/detokenize wait their turn too, which keeps order simple.
  queue = queue.then(async () => {
    try {
      const value = await handle(msg);
      send({ type: "result", id: msg.id, value });
    } catch (err) {
      const e = err as Error;
      send({ type: "error", id: msg.id, error: { name: e.name ?? "Error", message: e.message ?? String(err) } });
    } finally {
      aborted.delete(msg.id);
    }
  });
});

process.on("disconnect", () => process.exit(0));
send({ type: "ready" });
