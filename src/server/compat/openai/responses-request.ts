// OpenAI `/v1/responses` request → native ChatRequest (the ollama-spec §2.5 subset, without the
// server-side web_search loop).

import type { ChatRequest, Format, Message, Tool, ToolCall } from "../../../api/types.js";
import { BadRequestError } from "../../../util/errors.js";
import { isRecord, optNumber } from "../body.js";
import { decodeImageUrl, requireModel, thinkFromEffort } from "./shared.js";

export interface ResponsesTranslation {
  request: ChatRequest;
  stream: boolean;
  /** Echoed back in the response object. */
  echo: { tools: unknown[]; text: { format: unknown }; temperature: number; top_p: number; truncation: string; instructions: string | null; max_output_tokens: number | null };
}

export function translateResponsesRequest(body: Record<string, unknown>): ResponsesTranslation {
  const model = requireModel(body);
  const messages: Message[] = [];
  const instructions = typeof body.instructions === "string" && body.instructions !== "" ? body.instructions : null;
  if (instructions) messages.push({ role: "system", content: instructions });
  messages.push(...inputMessages(body.input));

  const temperature = optNumber(body, "temperature") ?? 1.0;
  const request: ChatRequest = { model, messages, stream: body.stream === true, options: { temperature } };
  const topP = optNumber(body, "top_p");
  if (topP !== undefined) request.options!.top_p = topP;
  const maxOutput = optNumber(body, "max_output_tokens");
  if (maxOutput !== undefined) request.options!.num_predict = Math.trunc(maxOutput);
  const think = thinkFromEffort(isRecord(body.reasoning) ? body.reasoning.effort : undefined);
  if (think !== undefined) request.think = think;
  const textFormat = isRecord(body.text) ? body.text.format : undefined;
  const format = formatOf(textFormat);
  if (format !== undefined) request.format = format;
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const nativeTools = tools.flatMap(toolsOf);
  if (nativeTools.length > 0) request.tools = nativeTools;

  return {
    request,
    stream: body.stream === true,
    echo: {
      tools,
      text: { format: isRecord(textFormat) ? textFormat : { type: "text" } },
      temperature,
      top_p: topP ?? 1.0,
      truncation: typeof body.truncation === "string" ? body.truncation : "disabled",
      instructions,
      max_output_tokens: maxOutput ?? null,
    },
  };
}

function formatOf(format: unknown): Format | undefined {
  if (!isRecord(format)) return undefined;
  if (format.type === "json_object") return "json";
  if (format.type === "json_schema" && isRecord(format.schema)) return format.schema;
  return undefined;
}

/** Function tools in the flat Responses form; `namespace` tools expand to `ns.name`. */
function toolsOf(raw: unknown): Tool[] {
  if (!isRecord(raw)) return [];
  if (raw.type === "function" && typeof raw.name === "string") {
    const fn: Tool["function"] = { name: raw.name };
    if (typeof raw.description === "string") fn.description = raw.description;
    if (isRecord(raw.parameters)) fn.parameters = raw.parameters;
    return [{ type: "function", function: fn }];
  }
  if (raw.type === "namespace" && typeof raw.name === "string" && Array.isArray(raw.tools)) {
    return raw.tools.flatMap(toolsOf).map((t) => ({ ...t, function: { ...t.function, name: `${raw.name}.${t.function.name}` } }));
  }
  return [];
}

function inputMessages(input: unknown): Message[] {
  if (input === undefined || input === null) return [];
  if (typeof input === "string") return [{ role: "user", content: input }];
  if (!Array.isArray(input)) throw new BadRequestError("invalid input");
  const out: Message[] = [];
  const callNames = new Map<string, string>();
  let pendingThinking = "";
  for (const item of input) {
    if (!isRecord(item)) throw new BadRequestError("invalid input item");
    const type = item.type ?? "message";
    if (type === "message") {
      const role = item.role === "developer" ? "system" : String(item.role ?? "user");
      if (!["user", "system", "assistant"].includes(role)) throw new BadRequestError(`invalid role: ${role}`);
      const msg = contentMessage(role, item.content);
      if (role === "assistant" && pendingThinking) {
        msg.thinking = pendingThinking;
        pendingThinking = "";
      }
      out.push(msg);
    } else if (type === "function_call") {
      const call = functionCall(item);
      if (call.id) callNames.set(call.id, call.function.name);
      const prev = out[out.length - 1];
      // Consecutive calls belong to one assistant turn.
      if (prev?.role === "assistant" && (prev.tool_calls?.length ?? 0) > 0) prev.tool_calls!.push(call);
      else {
        const msg: Message = { role: "assistant", content: "", tool_calls: [call] };
        if (pendingThinking) msg.thinking = pendingThinking;
        pendingThinking = "";
        out.push(msg);
      }
    } else if (type === "function_call_output") {
      const callId = typeof item.call_id === "string" ? item.call_id : "";
      const msg: Message = { role: "tool", content: outputText(item.output), tool_call_id: callId };
      const name = callNames.get(callId);
      if (name) msg.tool_name = name;
      out.push(msg);
    } else if (type === "reasoning") {
      pendingThinking += reasoningText(item);
    } else {
      throw new BadRequestError(`unsupported input item type: ${String(type)}`);
    }
  }
  return out;
}

function contentMessage(role: string, content: unknown): Message {
  if (typeof content === "string") return { role, content };
  if (!Array.isArray(content)) throw new BadRequestError("invalid message content");
  const msg: Message = { role, content: "" };
  for (const part of content) {
    if (!isRecord(part)) throw new BadRequestError("invalid message content");
    if (part.type === "input_text" || part.type === "output_text" || part.type === "text") {
      msg.content += typeof part.text === "string" ? part.text : "";
    } else if (part.type === "input_image") {
      if (typeof part.image_url === "string") (msg.images ??= []).push(decodeImageUrl(part.image_url));
    } else if (part.type === "input_file") {
      throw new BadRequestError("file inputs are not currently supported");
    } else {
      throw new BadRequestError(`unsupported content type: ${String(part.type)}`);
    }
  }
  return msg;
}

function functionCall(item: Record<string, unknown>): ToolCall {
  if (typeof item.name !== "string") throw new BadRequestError("function_call item missing name");
  let args: unknown = {};
  if (typeof item.arguments === "string" && item.arguments !== "") {
    try {
      args = JSON.parse(item.arguments);
    } catch {
      throw new BadRequestError("invalid tool call arguments");
    }
  }
  if (!isRecord(args)) throw new BadRequestError("invalid tool call arguments");
  const call: ToolCall = { function: { name: item.name, arguments: args } };
  if (typeof item.call_id === "string") call.id = item.call_id;
  return call;
}

function outputText(output: unknown): string {
  if (typeof output === "string") return output;
  if (Array.isArray(output)) {
    return output.map((p) => (isRecord(p) && typeof p.text === "string" ? p.text : "")).join("");
  }
  return output === undefined || output === null ? "" : JSON.stringify(output);
}

function reasoningText(item: Record<string, unknown>): string {
  if (typeof item.encrypted_content === "string") return item.encrypted_content;
  if (Array.isArray(item.summary)) {
    return item.summary.map((s) => (isRecord(s) && typeof s.text === "string" ? s.text : "")).join("");
  }
  return "";
}
