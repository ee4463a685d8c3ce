// The Inference service: the use cases behind /api/generate, /api/chat, /api/embed(dings),
// /api/ps, rerank and token counting. Routes call it; it calls the store and the scheduler.

import type {
  ChatRequest,
  ChatResponse,
  EmbeddingRequest,
  EmbeddingResponse,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
  ProcessResponse,
  RerankRequest,
  RerankResult,
} from "../api/types.js";
import type { GgufCache } from "../gguf/index.js";
import type { Store } from "../store/index.js";
import { chat, prepareChat } from "./chat.js";
import { InferenceCore, type InferenceDefaults, type Logger } from "./core.js";
import { embed, embeddings, rerank } from "./embed.js";
import { generate } from "./generate.js";
import type { RunnerMeta, SchedulerLike } from "./seams.js";

function isRunnerMeta(v: unknown): v is RunnerMeta {
  return typeof v === "object" && v !== null && typeof (v as RunnerMeta).name === "string";
}

export interface InferenceOptions {
  store: Store;
  scheduler: SchedulerLike;
  defaults: InferenceDefaults;
  /** GGUF headers shared with the model use cases (list/show), so each file is parsed once. */
  ggufs?: GgufCache;
  log?: Logger;
}

const silent: Logger = { warn: () => {} };

export class Inference {
  private readonly core: InferenceCore;

  constructor(opts: InferenceOptions) {
    this.core = new InferenceCore(opts.store, opts.scheduler, opts.defaults, opts.log ?? silent, opts.ggufs);
  }

  /**
   * The responses in batches, each array the lines ready together (one runner batch), so the stream's
   * layers do their async work once per batch. Errors found before the first chunk are thrown from the
   * first `next()`.
   */
  generate(req: GenerateRequest, signal?: AbortSignal): AsyncIterable<GenerateResponse[]> {
    return generate(this.core, req, signal);
  }

  /** As `generate`: batches of responses. */
  chat(req: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatResponse[]> {
    return chat(this.core, req, signal);
  }

  embed(req: EmbedRequest, signal?: AbortSignal): Promise<EmbedResponse> {
    return embed(this.core, req, signal);
  }

  embeddings(req: EmbeddingRequest, signal?: AbortSignal): Promise<EmbeddingResponse> {
    return embeddings(this.core, req, signal);
  }

  rerank(req: RerankRequest, signal?: AbortSignal): Promise<RerankResult[]> {
    return rerank(this.core, req, signal);
  }

  /** Tokens of the chat prompt as rendered (no truncation), counted with the model's tokenizer. */
  async countChatTokens(req: ChatRequest, signal?: AbortSignal): Promise<number> {
    const { m, renderer, think, messages } = await prepareChat(this.core, req);
    const merged = this.core.mergeOptions(m, req.options, { renderer });
    const lease = await this.core.acquire(m, merged, this.core.keepAliveMs(req.keep_alive), signal);
    try {
      const prompt = renderer.render(messages, { tools: req.tools, think });
      return (await lease.runner.tokenize(prompt, { addSpecial: true, parseSpecial: true })).length;
    } finally {
      lease.release();
    }
  }

  /** `/api/ps`: loaded models, latest expiry first. */
  async ps(): Promise<ProcessResponse> {
    const loaded = await this.core.scheduler.ps();
    const models = loaded
      .filter((r) => isRunnerMeta(r.meta))
      .map((r) => {
        const meta = r.meta as RunnerMeta;
        return {
          name: meta.name,
          model: meta.model,
          size: r.memory.ram + r.memory.vram,
          digest: meta.digest,
          details: meta.details,
          expires_at: r.expiresAt.toISOString(),
          size_vram: r.memory.vram,
          context_length: r.contextSize,
        };
      })
      .sort((a, b) => b.expires_at.localeCompare(a.expires_at));
    return { models };
  }

  /** keep_alive 0 semantics for `herd stop` and `rm`: unload as soon as idle. Unknown models are a 404. */
  async unload(modelName: string): Promise<void> {
    const m = await this.core.resolve(modelName, "required");
    await this.core.expire(m);
  }
}
