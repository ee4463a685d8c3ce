// OpenAI `/v1/completions` ⇄ native generate (ollama-spec §2.2).

import type { GenerateRequest, GenerateResponse, Logprob } from "../../../api/types.js";
import { BadRequestError } from "../../../util/errors.js";
import { isRecord, optNumber, optString } from "../body.js";
import type { FoldedGenerate } from "../../fold.js";
import { unixSeconds } from "../ids.js";
import { type OpenAIUsage, usageOf } from "./chat-response.js";
import { requireModel, samplingOptions } from "./shared.js";

export interface CompletionTranslation {
  request: GenerateRequest;
  stream: boolean;
  includeUsage: boolean;
}

export function translateCompletionRequest(body: Record<string, unknown>): CompletionTranslation {
  const model = requireModel(body);
  const prompt = body.prompt ?? "";
  if (typeof prompt !== "string") throw new BadRequestError("invalid type for 'prompt' field: only a string is supported");
  const request: GenerateRequest = { model, prompt, stream: body.stream === true, options: samplingOptions(body) };
  // Ollama always sends both penalties for completions.
  request.options!.frequency_penalty ??= 0;
  request.options!.presence_penalty ??= 0;
  const suffix = optString(body, "suffix");
  if (suffix) request.suffix = suffix;
  const logprobs = optNumber(body, "logprobs");
  if (logprobs !== undefined && logprobs > 0) {
    request.logprobs = true;
    request.top_logprobs = Math.min(Math.trunc(logprobs), 20);
  }
  if (body._debug_render_only === true) request._debug_render_only = true;
  const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
  return { request, stream: body.stream === true, includeUsage: streamOptions.include_usage === true };
}

export interface CompletionChoice {
  text: string;
  index: 0;
  finish_reason: string | null;
  logprobs: { content: Logprob[] } | null;
}

export interface OpenAICompletion {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  system_fingerprint: "fp_ollama";
  choices: CompletionChoice[];
  usage?: OpenAIUsage;
}

function choiceOf(text: string, reason: string | undefined, logprobs: Logprob[] | undefined): CompletionChoice {
  return {
    text,
    index: 0,
    finish_reason: reason ? reason : null,
    logprobs: logprobs && logprobs.length > 0 ? { content: logprobs } : null,
  };
}

/** Streaming: one chunk per native chunk; with include_usage every chunk carries a zero usage and a
 *  final `choices: []` chunk the real one, as Ollama does. */
export class CompletionChunkTranslator {
  private created: number | undefined;

  constructor(
    private readonly id: string,
    private readonly includeUsage: boolean,
  ) {}

  translate(chunk: GenerateResponse): OpenAICompletion[] {
    this.created ??= unixSeconds(chunk.created_at) || unixSeconds();
    const base = { id: this.id, object: "text_completion" as const, created: this.created, model: chunk.model, system_fingerprint: "fp_ollama" as const };
    const reason = chunk.done ? chunk.done_reason || "stop" : undefined;
    const out: OpenAICompletion[] = [{ ...base, choices: [choiceOf(chunk.response ?? "", reason, chunk.logprobs)] }];
    if (this.includeUsage) {
      out[0].usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
      if (chunk.done) out.push({ ...base, choices: [], usage: usageOf(chunk) });
    }
    return out;
  }
}

export function toCompletion(id: string, folded: FoldedGenerate): OpenAICompletion {
  const { last } = folded;
  return {
    id,
    object: "text_completion",
    created: unixSeconds(last.created_at) || unixSeconds(),
    model: last.model,
    system_fingerprint: "fp_ollama",
    choices: [choiceOf(folded.response, last.done_reason || undefined, folded.logprobs)],
    usage: usageOf(last),
  };
}
