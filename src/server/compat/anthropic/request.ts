// Anthropic `/v1/messages` request → native ChatRequest (ollama-spec §2.7, Ollama's
// `FromMessagesRequest`). Pure: throws BadRequestError with Ollama's messages.

import type { ChatRequest, Message, Options, Think, Tool, ToolCall } from "../../../api/types.js";
import { BadRequestError } from "../../../util/errors.js";
import { isRecord, optNumber, stopList } from "../body.js";

export interface MessagesTranslation {
  request: ChatRequest;
  stream: boolean;
  /** Ollama's `len(chars)/4` estimate, for `message_start` before the real count is known. */
  estimatedInputTokens: number;
}

/** `countTokens` requests carry no `max_tokens`; everything else validates the same. */
export function translateMessagesRequest(body: Record<string, unknown>, opts: { requireMaxTokens?: boolean } = {}): MessagesTranslation {
  if (typeof body.model !== "string" || body.model === "") throw new BadRequestError("model is required");
  const maxTokens = optNumber(body, "max_tokens");
  if ((opts.requireMaxTokens ?? true) && (maxTokens === undefined || maxTokens <= 0)) {
    throw new BadRequestError("max_tokens is required and must be positive");
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new BadRequestError("messages is required");

  const messages: Message[] = [];
  const system = systemText(body.system);
  if (system !== undefined) messages.push({ role: "system", content: system });
  const toolNames = new Map<string, string>();
  for (const m of body.messages) messages.push(...translateMessage(m, toolNames));

  const options: Options = {};
  if (maxTokens !== undefined) options.num_predict = Math.trunc(maxTokens);
  const temperature = optNumber(body, "temperature");
  if (temperature !== undefined) options.temperature = temperature;
  const topP = optNumber(body, "top_p");
  if (topP !== undefined) options.top_p = topP;
  const topK = optNumber(body, "top_k");
  if (topK !== undefined) options.top_k = Math.trunc(topK);
  const stop = stopList(body.stop_sequences, "stop_sequences");
  if (stop) options.stop = stop;

  const request: ChatRequest = { model: body.model, messages, stream: body.stream === true, options };
  const tools = Array.isArray(body.tools) ? body.tools.flatMap(toolOf) : [];
  if (tools.length > 0) request.tools = tools;
  const think = thinkOf(body);
  if (think !== undefined) request.think = think;
  return { request, stream: body.stream === true, estimatedInputTokens: estimateTokens(body) };
}

function systemText(system: unknown): string | undefined {
  if (system === undefined || system === null) return undefined;
  if (typeof system === "string") return system;
  if (!Array.isArray(system)) throw new BadRequestError("invalid system prompt: expected a string or text blocks");
  // Text blocks join with no separator, as Ollama does.
  return system
    .map((b) => {
      if (!isRecord(b) || b.type !== "text" || typeof b.text !== "string") {
        throw new BadRequestError("invalid system block: only text blocks are supported");
      }
      return b.text;
    })
    .join("");
}

/** One Anthropic message → native messages; tool results become `tool` messages placed first. */
function translateMessage(raw: unknown, toolNames: Map<string, string>): Message[] {
  if (!isRecord(raw) || typeof raw.role !== "string") throw new BadRequestError("invalid message format");
  const role = raw.role.toLowerCase();
  if (typeof raw.content === "string") return [{ role, content: raw.content }];
  if (!Array.isArray(raw.content)) throw new BadRequestError("invalid message content: expected a string or content blocks");

  const toolMessages: Message[] = [];
  const msg: Message = { role, content: "" };
  const calls: ToolCall[] = [];
  for (const block of raw.content) {
    if (!isRecord(block)) throw new BadRequestError("invalid content block");
    switch (block.type) {
      case "text":
        msg.content += typeof block.text === "string" ? block.text : "";
        break;
      case "image":
        (msg.images ??= []).push(imageData(block));
        break;
      case "tool_use": {
        if (typeof block.id !== "string" || block.id === "") throw new BadRequestError("tool_use block missing required 'id' field");
        if (typeof block.name !== "string" || block.name === "") throw new BadRequestError("tool_use block missing required 'name' field");
        toolNames.set(block.id, block.name);
        calls.push({ id: block.id, function: { index: calls.length, name: block.name, arguments: isRecord(block.input) ? block.input : {} } });
        break;
      }
      case "tool_result":
        toolMessages.push(toolResult(block, toolNames));
        break;
      case "thinking":
        if (typeof block.thinking === "string") msg.thinking = (msg.thinking ?? "") + block.thinking;
        break;
      default:
        // redacted_thinking, server tool blocks, documents…: not representable natively, skipped as Ollama does.
        break;
    }
  }
  if (calls.length > 0) msg.tool_calls = calls;
  const hasBody = msg.content !== "" || msg.images !== undefined || calls.length > 0 || msg.thinking !== undefined;
  return hasBody || toolMessages.length === 0 ? [...toolMessages, msg] : toolMessages;
}

function imageData(block: Record<string, unknown>): string {
  const source = isRecord(block.source) ? block.source : {};
  if (source.type !== "base64") {
    throw new BadRequestError(`invalid image source type: ${String(source.type)}. Only base64 images are supported.`);
  }
  if (typeof source.data !== "string") throw new BadRequestError("invalid image source: missing data");
  return source.data;
}

function toolResult(block: Record<string, unknown>, toolNames: Map<string, string>): Message {
  const id = typeof block.tool_use_id === "string" ? block.tool_use_id : "";
  const msg: Message = { role: "tool", content: "", tool_call_id: id };
  const name = toolNames.get(id);
  if (name) msg.tool_name = name;
  if (typeof block.content === "string") msg.content = block.content;
  else if (Array.isArray(block.content)) {
    for (const part of block.content) {
      if (!isRecord(part)) continue;
      if (part.type === "text" && typeof part.text === "string") msg.content += part.text;
      else if (part.type === "image") (msg.images ??= []).push(imageData(part));
    }
  }
  return msg;
}

function toolOf(raw: unknown): Tool[] {
  if (!isRecord(raw) || typeof raw.name !== "string") return [];
  // Server tools (web_search_*, bash_*, …) have a versioned `type`; only custom tools reach the model.
  if (raw.type !== undefined && raw.type !== "custom") return [];
  const fn: Tool["function"] = { name: raw.name };
  if (typeof raw.description === "string") fn.description = raw.description;
  if (isRecord(raw.input_schema)) fn.parameters = raw.input_schema;
  return [{ type: "function", function: fn }];
}

function thinkOf(body: Record<string, unknown>): Think | undefined {
  if (isRecord(body.thinking)) {
    if (body.thinking.type === "enabled" || body.thinking.type === "adaptive") return true;
    if (body.thinking.type === "disabled") return false;
    return undefined;
  }
  const effort = isRecord(body.output_config) ? body.output_config.effort : undefined;
  if (effort === "low" || effort === "medium" || effort === "high" || effort === "max") return effort;
  if (effort === "xhigh") return "high";
  return undefined;
}

/** Counts string characters with an explicit stack: a body may nest 10,000 deep. */
function estimateTokens(body: Record<string, unknown>): number {
  let chars = 0;
  const stack: unknown[] = [body.system, body.messages, body.tools];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") chars += v.length;
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (k !== "data") stack.push(x);
  }
  return Math.floor(chars / 4);
}
