// Native chat chunks → Anthropic message bodies and stream events (ollama-spec §2.7, §16.5), plus a
// `ping` after `message_start` (beyond Ollama; Anthropic's own API sends it and the SDK ignores it).

import type { ChatResponse, DoneReason, ToolCall } from "../../../api/types.js";
import { stopSequenceOf } from "../backend.js";
import type { FoldedChat } from "../../fold.js";
import { toolCallId } from "../ids.js";
import type { SseEvent } from "../sse.js";

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";

export type ContentBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export function stopReasonOf(doneReason: DoneReason | undefined, hadToolCalls: boolean, stopSequence?: string): StopReason {
  if (hadToolCalls) return "tool_use";
  if (doneReason === "length") return "max_tokens";
  if (doneReason === "stop" && stopSequence) return "stop_sequence";
  return "end_turn";
}

function toolUse(call: ToolCall): ContentBlock {
  return { type: "tool_use", id: call.id ?? toolCallId(), name: call.function.name, input: call.function.arguments ?? {} };
}

export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: { input_tokens: number; output_tokens: number };
}

export function toMessage(id: string, folded: FoldedChat): AnthropicMessage {
  const content: ContentBlock[] = [];
  if (folded.thinking) content.push({ type: "thinking", thinking: folded.thinking, signature: "" });
  if (folded.content) content.push({ type: "text", text: folded.content });
  content.push(...folded.toolCalls.map(toolUse));
  const stopSequence = stopSequenceOf(folded.last);
  const reason = stopReasonOf(folded.last.done_reason, folded.toolCalls.length > 0, stopSequence);
  return {
    id,
    type: "message",
    role: "assistant",
    model: folded.last.model,
    content,
    stop_reason: reason,
    stop_sequence: reason === "stop_sequence" ? stopSequence! : null,
    usage: { input_tokens: folded.last.prompt_eval_count ?? 0, output_tokens: folded.last.eval_count ?? 0 },
  };
}

/** Stateful: tracks the open content block so each kind of output gets its own indexed block. */
export class MessageEventTranslator {
  private index = -1;
  private open: "thinking" | "text" | undefined;
  private toolCalls = 0;

  constructor(
    private readonly id: string,
    private readonly model: string,
    private readonly estimatedInputTokens: number,
  ) {}

  start(): SseEvent[] {
    const message: AnthropicMessage = {
      id: this.id,
      type: "message",
      role: "assistant",
      model: this.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: this.estimatedInputTokens, output_tokens: 0 },
    };
    return [ev("message_start", { message }), ev("ping", {})];
  }

  translate(chunk: ChatResponse): SseEvent[] {
    const out: SseEvent[] = [];
    const msg = chunk.message ?? { role: "assistant", content: "" };
    if (msg.thinking) {
      out.push(...this.openBlock("thinking", { type: "thinking", thinking: "", signature: "" }));
      out.push(this.delta({ type: "thinking_delta", thinking: msg.thinking }));
    }
    if (msg.content) {
      out.push(...this.openBlock("text", { type: "text", text: "" }));
      out.push(this.delta({ type: "text_delta", text: msg.content }));
    }
    for (const call of msg.tool_calls ?? []) {
      out.push(...this.closeBlock());
      this.index++;
      this.toolCalls++;
      const block = toolUse(call) as Extract<ContentBlock, { type: "tool_use" }>;
      out.push(ev("content_block_start", { index: this.index, content_block: { ...block, input: {} } }));
      // The whole arguments object in one delta: native tool calls arrive parsed, never partial.
      out.push(this.delta({ type: "input_json_delta", partial_json: JSON.stringify(block.input) }));
      out.push(ev("content_block_stop", { index: this.index }));
    }
    if (chunk.done) {
      out.push(...this.closeBlock());
      const stopSequence = stopSequenceOf(chunk);
      const reason = stopReasonOf(chunk.done_reason, this.toolCalls > 0, stopSequence);
      out.push(
        ev("message_delta", {
          delta: { stop_reason: reason, stop_sequence: reason === "stop_sequence" ? stopSequence : null },
          usage: { input_tokens: chunk.prompt_eval_count ?? this.estimatedInputTokens, output_tokens: chunk.eval_count ?? 0 },
        }),
        ev("message_stop", {}),
      );
    }
    return out;
  }

  private openBlock(kind: "thinking" | "text", block: ContentBlock): SseEvent[] {
    if (this.open === kind) return [];
    const out = this.closeBlock();
    this.index++;
    this.open = kind;
    out.push(ev("content_block_start", { index: this.index, content_block: block }));
    return out;
  }

  private closeBlock(): SseEvent[] {
    if (!this.open) return [];
    this.open = undefined;
    return [ev("content_block_stop", { index: this.index })];
  }

  private delta(delta: Record<string, unknown>): SseEvent {
    return ev("content_block_delta", { index: this.index, delta });
  }
}

function ev(type: string, fields: Record<string, unknown>): SseEvent {
  return { event: type, data: { type, ...fields } };
}
