// A scripted CompatBackend for tests: each call records its native request and replays the chunks a
// script returns, so route tests exercise the translators over real HTTP without an engine.

import type {
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
  ListResponse,
  ShowResponse,
} from "../../../api/types.js";
import { ModelNotFoundError } from "../../../util/errors.js";
import type { CompatBackend, RerankRequest, RerankResult } from "../backend.js";

/** A step of a script: a chunk to yield, or an error to throw at that point of the stream. */
export type Step<T> = T | Error;

export interface FakeScripts {
  chat?: (req: ChatRequest) => Step<ChatResponse>[];
  generate?: (req: GenerateRequest) => Step<GenerateResponse>[];
  embed?: (req: EmbedRequest) => EmbedResponse;
  rerank?: (req: RerankRequest) => RerankResult[];
  countChatTokens?: (req: ChatRequest) => number;
  models?: string[];
  /** Capabilities `show` reports (default: completion, tools, thinking). */
  capabilities?: string[];
}

export const CREATED_AT = "2026-08-21T10:00:00.000Z";

/** Chat chunks in the native shape; `done` carries the metrics Ollama puts on the final chunk. */
export function chatChunk(message: Partial<ChatResponse["message"]>, extra: Partial<ChatResponse> = {}): ChatResponse {
  return { model: "m", created_at: CREATED_AT, message: { role: "assistant", content: "", ...message }, done: false, ...extra };
}

export function doneChunk(extra: Partial<ChatResponse> = {}): ChatResponse {
  return chatChunk({}, { done: true, done_reason: "stop", prompt_eval_count: 10, eval_count: 3, ...extra });
}

/** Each step is a batch of its own, as a runner that never batched would give them. */
async function* play<T>(steps: Step<T>[]): AsyncGenerator<T[]> {
  for (const s of steps) {
    if (s instanceof Error) throw s;
    yield [s];
  }
}

export class FakeBackend implements CompatBackend {
  readonly calls: { op: string; req: unknown }[] = [];
  rerank?: CompatBackend["rerank"];

  constructor(private readonly scripts: FakeScripts = {}) {
    if (scripts.rerank) {
      const script = scripts.rerank;
      this.rerank = async (req: RerankRequest): Promise<RerankResult[]> => {
        this.calls.push({ op: "rerank", req });
        this.check(req.model);
        return script(req);
      };
    }
  }

  /** The last native request recorded for an operation. */
  last<T>(op: string): T {
    const found = [...this.calls].reverse().find((c) => c.op === op);
    if (!found) throw new Error(`no ${op} call recorded`);
    return found.req as T;
  }

  private check(model: string): void {
    const models = this.scripts.models ?? ["m"];
    if (!models.includes(model)) throw new ModelNotFoundError(model);
  }

  chat(req: ChatRequest): AsyncIterable<ChatResponse[]> {
    this.calls.push({ op: "chat", req });
    const self = this;
    return (async function* () {
      self.check(req.model);
      yield* play(self.scripts.chat?.(req) ?? [chatChunk({ content: "hi" }), doneChunk()]);
    })();
  }

  generate(req: GenerateRequest): AsyncIterable<GenerateResponse[]> {
    this.calls.push({ op: "generate", req });
    const self = this;
    return (async function* () {
      self.check(req.model);
      const fallback: GenerateResponse[] = [
        { model: req.model, created_at: CREATED_AT, response: "hi", done: false },
        { model: req.model, created_at: CREATED_AT, response: "", done: true, done_reason: "stop", prompt_eval_count: 4, eval_count: 1 },
      ];
      yield* play(self.scripts.generate?.(req) ?? fallback);
    })();
  }

  async embed(req: EmbedRequest): Promise<EmbedResponse> {
    this.calls.push({ op: "embed", req });
    this.check(req.model);
    if (this.scripts.embed) return this.scripts.embed(req);
    const inputs = Array.isArray(req.input) ? req.input : [req.input ?? ""];
    return { model: req.model, embeddings: inputs.map((_, i) => [0.5, -0.25, i]), prompt_eval_count: inputs.length * 2 };
  }

  async list(): Promise<ListResponse> {
    const names = this.scripts.models ?? ["m"];
    return {
      models: names.map((name) => ({
        name,
        model: name,
        modified_at: CREATED_AT,
        size: 1,
        digest: "0".repeat(64),
        details: { parent_model: "", format: "gguf", family: "llama", families: null, parameter_size: "1M", quantization_level: "Q8_0" },
      })),
    };
  }

  async show(model: string): Promise<ShowResponse> {
    this.check(model);
    return {
      details: { parent_model: "", format: "gguf", family: "llama", families: null, parameter_size: "1M", quantization_level: "Q8_0" },
      model_info: {},
      capabilities: this.scripts.capabilities ?? ["completion", "tools", "thinking"],
      modified_at: CREATED_AT,
    };
  }

  async countChatTokens(req: ChatRequest): Promise<number> {
    this.calls.push({ op: "countChatTokens", req });
    this.check(req.model);
    if (this.scripts.countChatTokens) return this.scripts.countChatTokens(req);
    return (req.messages ?? []).reduce((n, m) => n + m.content.split(/\s+/).filter(Boolean).length, 0);
  }
}
