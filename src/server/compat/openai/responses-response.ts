// Native chat chunks → a Responses API object and its streaming events (ollama-spec §2.5). Text that
// follows tool calls is dropped, as Ollama does.

import type { ChatResponse, ToolCall } from "../../../api/types.js";
import type { SseEvent } from "../sse.js";
import type { FoldedChat } from "../../fold.js";
import { smallId, toolCallId, unixSeconds } from "../ids.js";
import type { ResponsesTranslation } from "./responses-request.js";

type Item = Record<string, unknown> & { type: string; id: string };

interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens_details: { reasoning_tokens: number };
}

function usageOf(last: ChatResponse | undefined): Usage {
  const input = last?.prompt_eval_count ?? 0;
  const output = last?.eval_count ?? 0;
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens_details: { reasoning_tokens: 0 },
  };
}

/** The response object around `output`; the echo fields repeat what the request asked for. */
export function responseObject(
  id: string,
  model: string,
  createdAt: number,
  echo: ResponsesTranslation["echo"],
  status: "in_progress" | "completed" | "failed",
  output: Item[],
  last?: ChatResponse,
  error: { code: string; message: string } | null = null,
): Record<string, unknown> {
  return {
    id,
    object: "response",
    created_at: createdAt,
    completed_at: status === "completed" ? unixSeconds() : null,
    status,
    error,
    incomplete_details: null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    service_tier: "default",
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: "auto",
    tools: echo.tools,
    top_p: echo.top_p,
    truncation: echo.truncation,
    usage: status === "in_progress" ? null : usageOf(last),
    user: null,
    metadata: {},
  };
}

function reasoningItem(respId: string, text: string): Item {
  return { id: `rs_${respId}`, type: "reasoning", summary: text ? [{ type: "summary_text", text }] : [], encrypted_content: text };
}

function functionCallItem(respId: string, i: number, call: ToolCall, status: string): Item {
  return {
    id: `fc_${respId}_${i}`,
    type: "function_call",
    status,
    arguments: JSON.stringify(call.function.arguments ?? {}),
    call_id: call.id ?? toolCallId(),
    name: call.function.name,
  };
}

function outputText(text: string) {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

function messageItem(id: string, text: string | null, status: string): Item {
  return { id, type: "message", status, role: "assistant", content: text === null ? [] : [outputText(text)] };
}

export function toResponse(id: string, folded: FoldedChat, echo: ResponsesTranslation["echo"]): Record<string, unknown> {
  const output: Item[] = [];
  if (folded.thinking) output.push(reasoningItem(id, folded.thinking));
  if (folded.toolCalls.length > 0) folded.toolCalls.forEach((c, i) => output.push(functionCallItem(id, i, c, "completed")));
  else output.push(messageItem(smallId("msg_"), folded.content, "completed"));
  return responseObject(id, folded.last.model, unixSeconds(), echo, "completed", output, folded.last);
}

/** Stateful event builder for one streamed response; every event carries a rising `sequence_number`. */
export class ResponsesEventTranslator {
  private seq = 0;
  private readonly createdAt = unixSeconds();
  private readonly output: Item[] = [];
  private reasoning: { index: number; text: string } | undefined;
  private message: { index: number; id: string; text: string } | undefined;
  private calls = 0;

  constructor(
    private readonly id: string,
    private readonly model: string,
    private readonly echo: ResponsesTranslation["echo"],
  ) {}

  start(): SseEvent[] {
    const snapshot = this.snapshot("in_progress");
    return [this.event("response.created", { response: snapshot }), this.event("response.in_progress", { response: snapshot })];
  }

  translate(chunk: ChatResponse): SseEvent[] {
    const out: SseEvent[] = [];
    const msg = chunk.message ?? { role: "assistant", content: "" };
    if (msg.thinking && this.calls === 0 && !this.message) {
      if (!this.reasoning) {
        this.reasoning = { index: this.output.length, text: "" };
        this.output.push(reasoningItem(this.id, ""));
        const ids = { item_id: `rs_${this.id}`, output_index: this.reasoning.index };
        out.push(this.event("response.output_item.added", { output_index: this.reasoning.index, item: this.output[this.reasoning.index] }));
        out.push(this.event("response.reasoning_summary_part.added", { ...ids, summary_index: 0, part: { type: "summary_text", text: "" } }));
      }
      this.reasoning.text += msg.thinking;
      out.push(this.event("response.reasoning_summary_text.delta", { item_id: `rs_${this.id}`, output_index: this.reasoning.index, summary_index: 0, delta: msg.thinking }));
    }
    if (msg.content && this.calls === 0) {
      out.push(...this.closeReasoning());
      if (!this.message) {
        this.message = { index: this.output.length, id: smallId("msg_"), text: "" };
        this.output.push(messageItem(this.message.id, null, "in_progress"));
        const ids = { item_id: this.message.id, output_index: this.message.index };
        out.push(this.event("response.output_item.added", { output_index: this.message.index, item: this.output[this.message.index] }));
        out.push(this.event("response.content_part.added", { ...ids, content_index: 0, part: outputText("") }));
      }
      this.message.text += msg.content;
      out.push(this.event("response.output_text.delta", { item_id: this.message.id, output_index: this.message.index, content_index: 0, delta: msg.content, logprobs: [] }));
    }
    for (const call of msg.tool_calls ?? []) {
      out.push(...this.closeReasoning(), ...this.closeMessage());
      const index = this.output.length;
      const done = functionCallItem(this.id, this.calls++, call, "completed");
      const added = { ...done, status: "in_progress", arguments: "" };
      this.output.push(done);
      out.push(this.event("response.output_item.added", { output_index: index, item: added }));
      out.push(this.event("response.function_call_arguments.delta", { item_id: done.id, output_index: index, delta: done.arguments }));
      out.push(this.event("response.function_call_arguments.done", { item_id: done.id, output_index: index, arguments: done.arguments }));
      out.push(this.event("response.output_item.done", { output_index: index, item: done }));
    }
    if (chunk.done) {
      out.push(...this.closeReasoning(), ...this.closeMessage());
      out.push(this.event("response.completed", { response: this.snapshot("completed", chunk) }));
    }
    return out;
  }

  failed(message: string): SseEvent[] {
    return [this.event("response.failed", { response: this.snapshot("failed", undefined, { code: "server_error", message }) })];
  }

  private closeReasoning(): SseEvent[] {
    const r = this.reasoning;
    if (!r) return [];
    const item = reasoningItem(this.id, r.text);
    this.output[r.index] = item;
    this.reasoning = undefined;
    return [
      this.event("response.reasoning_summary_text.done", { item_id: item.id, output_index: r.index, summary_index: 0, text: r.text }),
      this.event("response.reasoning_summary_part.done", { item_id: item.id, output_index: r.index, summary_index: 0, part: { type: "summary_text", text: r.text } }),
      this.event("response.output_item.done", { output_index: r.index, item }),
    ];
  }

  private closeMessage(): SseEvent[] {
    const m = this.message;
    if (!m || this.output[m.index].status === "completed") return [];
    const item = messageItem(m.id, m.text, "completed");
    this.output[m.index] = item;
    const ids = { item_id: m.id, output_index: m.index, content_index: 0 };
    return [
      this.event("response.output_text.done", { ...ids, text: m.text, logprobs: [] }),
      this.event("response.content_part.done", { ...ids, part: outputText(m.text) }),
      this.event("response.output_item.done", { output_index: m.index, item }),
    ];
  }

  private snapshot(status: "in_progress" | "completed" | "failed", last?: ChatResponse, error: { code: string; message: string } | null = null) {
    return responseObject(this.id, last?.model ?? this.model, this.createdAt, this.echo, status, structuredClone(this.output), last, error);
  }

  private event(type: string, fields: Record<string, unknown>): SseEvent {
    return { event: type, data: { type, ...fields, sequence_number: this.seq++ } };
  }
}
