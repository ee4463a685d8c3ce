// OpenAI `/v1/chat/completions` request → native ChatRequest (ollama-spec §2.1, Ollama's
// `FromChatRequest`). Pure: throws BadRequestError with Ollama's messages.

import type { ChatRequest, Format, Message, Tool, ToolCall } from "../../../api/types.js";
import { BadRequestError } from "../../../util/errors.js";
import { isRecord, optNumber } from "../body.js";
import { checkTopLogprobs, decodeImageUrl, requireModel, samplingOptions, thinkFromEffort } from "./shared.js";

export interface ChatTranslation {
  request: ChatRequest;
  stream: boolean;
  includeUsage: boolean;
}

export function translateChatRequest(body: Record<string, unknown>): ChatTranslation {
  const model = requireModel(body);
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new BadRequestError("[] is too short - 'messages'");
  }
  const request: ChatRequest = {
    model,
    messages: translateMessages(body.messages),
    stream: body.stream === true,
    options: samplingOptions(body),
  };
  const format = formatOf(body.response_format);
  if (format !== undefined) request.format = format;
  if (Array.isArray(body.tools) && body.tools.length > 0) request.tools = body.tools as Tool[];
  const effort = body.reasoning_effort ?? (isRecord(body.reasoning) ? body.reasoning.effort : undefined);
  const think = thinkFromEffort(effort);
  if (think !== undefined) request.think = think;
  if (body.logprobs === true) request.logprobs = true;
  const top = optNumber(body, "top_logprobs");
  checkTopLogprobs(top);
  if (top !== undefined && top > 0) {
    request.top_logprobs = top;
    request.logprobs = true;
  }
  if (body._debug_render_only === true) request._debug_render_only = true;
  const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
  return { request, stream: body.stream === true, includeUsage: streamOptions.include_usage === true };
}

/** `response_format`: json_object → "json", json_schema → its schema; `text` and others → none. */
export function formatOf(responseFormat: unknown): Format | undefined {
  if (!isRecord(responseFormat)) return undefined;
  if (responseFormat.type === "json_object") return "json";
  if (responseFormat.type === "json_schema" && isRecord(responseFormat.json_schema)) {
    const schema = responseFormat.json_schema.schema;
    if (isRecord(schema)) return schema;
  }
  return undefined;
}

function translateMessages(raw: unknown[]): Message[] {
  const out: Message[] = [];
  const toolNames = new Map<string, string>();
  for (const item of raw) {
    if (!isRecord(item) || typeof item.role !== "string") throw new BadRequestError("invalid message format");
    const role = item.role.toLowerCase();
    const toolCalls = item.tool_calls === undefined || item.tool_calls === null ? undefined : toolCallsOf(item.tool_calls);
    for (const call of toolCalls ?? []) if (call.id) toolNames.set(call.id, call.function.name);
    const parts = partsOf(role, item.content, toolCalls !== undefined);
    const last = parts[parts.length - 1];
    const thinking = item.reasoning ?? item.reasoning_content;
    if (typeof thinking === "string" && thinking !== "") last.thinking = thinking;
    if (toolCalls) last.tool_calls = toolCalls;
    if (role === "tool") {
      const callId = typeof item.tool_call_id === "string" ? item.tool_call_id : undefined;
      const name = typeof item.name === "string" && item.name !== "" ? item.name : callId && toolNames.get(callId);
      if (name) last.tool_name = name;
      if (callId) last.tool_call_id = callId;
    }
    out.push(...parts);
  }
  return out;
}

/** Each content part becomes its own native message with the same role, as in Ollama. */
function partsOf(role: string, content: unknown, hasToolCalls: boolean): Message[] {
  if (typeof content === "string") return [{ role, content }];
  if (content === null || content === undefined) {
    if (hasToolCalls) return [{ role, content: "" }];
    throw new BadRequestError("invalid message content type: <nil>");
  }
  if (!Array.isArray(content)) throw new BadRequestError(`invalid message content type: ${typeof content}`);
  const out: Message[] = [];
  for (const part of content) {
    if (!isRecord(part)) throw new BadRequestError("invalid message format");
    switch (part.type) {
      case "text":
        if (typeof part.text !== "string") throw new BadRequestError("invalid message format");
        out.push({ role, content: part.text });
        break;
      case "image_url": {
        const url = isRecord(part.image_url) ? part.image_url.url : part.image_url;
        if (typeof url !== "string") throw new BadRequestError("invalid message format");
        out.push({ role, content: "", images: [decodeImageUrl(url)] });
        break;
      }
      case "input_audio": {
        const data = isRecord(part.input_audio) ? part.input_audio.data : undefined;
        if (typeof data !== "string") throw new BadRequestError("invalid message format");
        out.push({ role, content: "", images: [data] });
        break;
      }
      default:
        throw new BadRequestError("invalid message format");
    }
  }
  if (out.length === 0) out.push({ role, content: "" });
  return out;
}

function toolCallsOf(raw: unknown): ToolCall[] {
  if (!Array.isArray(raw)) throw new BadRequestError("invalid tool call arguments");
  return raw.map((call, i): ToolCall => {
    if (!isRecord(call) || !isRecord(call.function) || typeof call.function.name !== "string") {
      throw new BadRequestError("invalid tool call arguments");
    }
    const args = parseArguments(call.function.arguments);
    const out: ToolCall = { function: { index: i, name: call.function.name, arguments: args } };
    if (typeof call.id === "string" && call.id !== "") out.id = call.id;
    return out;
  });
}

function parseArguments(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === "") return {};
  if (typeof raw !== "string") throw new BadRequestError("invalid tool call arguments");
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BadRequestError("invalid tool call arguments");
  }
  if (!isRecord(parsed)) throw new BadRequestError("invalid tool call arguments");
  return parsed;
}
