// Native chat chunks → OpenAI chat completion chunks and bodies (ollama-spec §2.1, §16.4).

import type { ChatResponse, Logprob, ToolCall } from "../../../api/types.js";
import type { FoldedChat } from "../../fold.js";
import { toolCallId, unixSeconds } from "../ids.js";

export interface OpenAIToolCall {
  id: string;
  index: number;
  type: "function";
  function: { name: string; arguments: string };
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface OpenAIDelta {
  role?: "assistant";
  content?: string;
  reasoning?: string;
  tool_calls?: OpenAIToolCall[];
}

export interface OpenAIChatChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  system_fingerprint: "fp_ollama";
  choices: { index: 0; delta: OpenAIDelta; finish_reason: string | null; logprobs?: { content: Logprob[] } }[];
  usage?: OpenAIUsage;
}

export function usageOf(m: { prompt_eval_count?: number; eval_count?: number }): OpenAIUsage {
  const prompt = m.prompt_eval_count ?? 0;
  const completion = m.eval_count ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Arguments travel as a JSON string in OpenAI's dialect; ids are invented when the engine gave none. */
export function toOpenAIToolCall(call: ToolCall, index: number): OpenAIToolCall {
  return {
    id: call.id ?? toolCallId(),
    index,
    type: "function",
    function: { name: call.function.name, arguments: JSON.stringify(call.function.arguments ?? {}) },
  };
}

/**
 * Stateful: one instance per response, so every chunk shares the id and the `created` pinned from the
 * first native chunk, only the first delta carries the role, and tool-call indexes keep counting.
 */
export class ChatChunkTranslator {
  private created: number | undefined;
  private sentRole = false;
  private toolIndex = 0;

  constructor(
    private readonly id: string,
    private readonly includeUsage: boolean,
  ) {}

  translate(chunk: ChatResponse): OpenAIChatChunk[] {
    this.created ??= chunk.created_at ? unixSeconds(chunk.created_at) || unixSeconds() : unixSeconds();
    const out: OpenAIChatChunk[] = [];
    const msg = chunk.message ?? { role: "assistant", content: "" };
    const content = msg.content ?? "";
    const calls = (msg.tool_calls ?? []).map((c) => toOpenAIToolCall(c, this.toolIndex++));
    const hasBody = content !== "" || calls.length > 0 || (chunk.logprobs?.length ?? 0) > 0;
    if (msg.thinking) {
      // Both kinds in one native chunk are split in two, reasoning first, as Ollama does.
      const delta: OpenAIDelta = hasBody ? { reasoning: msg.thinking } : { content: "", reasoning: msg.thinking };
      out.push(this.chunk(delta, null, chunk.model));
    }
    if (hasBody || (!chunk.done && !msg.thinking)) {
      const delta: OpenAIDelta = { content };
      if (calls.length > 0) delta.tool_calls = calls;
      out.push(this.chunk(delta, null, chunk.model, chunk.logprobs));
    }
    if (chunk.done) {
      const reason = this.toolIndex > 0 ? "tool_calls" : chunk.done_reason || "stop";
      out.push(this.chunk({}, reason, chunk.model));
      if (this.includeUsage) out.push({ ...this.base(chunk.model), choices: [], usage: usageOf(chunk) });
    }
    return out;
  }

  private base(model: string) {
    return {
      id: this.id,
      object: "chat.completion.chunk" as const,
      created: this.created ?? unixSeconds(),
      model,
      system_fingerprint: "fp_ollama" as const,
    };
  }

  private chunk(delta: OpenAIDelta, finish: string | null, model: string, logprobs?: Logprob[]): OpenAIChatChunk {
    if (!this.sentRole && finish === null) {
      delta = { role: "assistant", ...delta };
      this.sentRole = true;
    }
    const choice: OpenAIChatChunk["choices"][number] = { index: 0, delta, finish_reason: finish };
    if (logprobs && logprobs.length > 0) choice.logprobs = { content: logprobs };
    return { ...this.base(model), choices: [choice] };
  }
}

export interface OpenAIChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  system_fingerprint: "fp_ollama";
  choices: {
    index: 0;
    message: { role: "assistant"; content: string; reasoning?: string; tool_calls?: OpenAIToolCall[] };
    finish_reason: string | null;
    logprobs?: { content: Logprob[] } | null;
  }[];
  usage: OpenAIUsage;
}

export function toChatCompletion(id: string, folded: FoldedChat): OpenAIChatCompletion {
  const { last } = folded;
  const message: OpenAIChatCompletion["choices"][number]["message"] = { role: "assistant", content: folded.content };
  if (folded.thinking) message.reasoning = folded.thinking;
  if (folded.toolCalls.length > 0) message.tool_calls = folded.toolCalls.map(toOpenAIToolCall);
  const finish = folded.toolCalls.length > 0 ? "tool_calls" : last.done_reason || null;
  const choice: OpenAIChatCompletion["choices"][number] = { index: 0, message, finish_reason: finish };
  if (folded.logprobs.length > 0) choice.logprobs = { content: folded.logprobs };
  return {
    id,
    object: "chat.completion",
    created: unixSeconds(last.created_at) || unixSeconds(),
    model: last.model,
    system_fingerprint: "fp_ollama",
    choices: [choice],
    usage: usageOf(last),
  };
}
