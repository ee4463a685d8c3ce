// Jinja chat templates (GGUF `tokenizer.chat_template`) rendered with @huggingface/jinja, given the
// variables real templates read: OpenAI-shaped messages (tool calls with object arguments,
// `tool_call_id`, `reasoning_content`), `tools`, `add_generation_prompt`, `bos_token`/`eos_token`,
// `enable_thinking`, `reasoning_effort`, `date_string`, plus caller-supplied extras (`builtin_tools`, …).

import { Template } from "@huggingface/jinja";
import type { Message, Tool } from "../api/types.js";
import { BadRequestError } from "../util/errors.js";
import { TemplateError } from "./errors.js";

export interface JinjaInput {
  messages: Message[];
  tools?: Tool[];
  addGenerationPrompt?: boolean;
  bosToken?: string;
  eosToken?: string;
  /** Sets `enable_thinking` when given. */
  think?: boolean;
  /** Sets `reasoning_effort` when given (`low|medium|high|max`). */
  thinkLevel?: string;
  /** Extra variables (`builtin_tools`, `date_string`, …), applied last. */
  extra?: Record<string, unknown>;
}

/** Raised by a template's own `raise_exception(...)`: the template's message, as a 400. */
class RaisedByTemplate extends Error {}

const CACHE_SIZE = 16;
const cache = new Map<string, Template>();

function compile(source: string): Template {
  let t = cache.get(source);
  if (t) {
    cache.delete(source);
    cache.set(source, t);
    return t;
  }
  try {
    t = new Template(source);
  } catch (e) {
    throw new TemplateError(`jinja: ${(e as Error).message}`);
  }
  cache.set(source, t);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return t;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `26 Jul 2024`, the form Llama 3.x templates default `date_string` to. */
function dateString(d = new Date()): string {
  return `${String(d.getDate()).padStart(2, "0")} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}

function jinjaMessage(m: Message): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: m.content ?? "" };
  if (m.thinking) {
    out.reasoning_content = m.thinking;
    out.thinking = m.thinking;
  }
  if (m.tool_calls?.length) {
    out.tool_calls = m.tool_calls.map((tc, i) => ({
      id: tc.id ?? `call_${i}`,
      type: "function",
      function: { name: tc.function.name, arguments: tc.function.arguments ?? {} },
    }));
  }
  if (m.tool_call_id) out.tool_call_id = m.tool_call_id;
  if (m.tool_name) out.name = m.tool_name;
  return out;
}

/** Renders a Jinja chat template; `raise_exception` becomes a BadRequestError with its message. */
export function renderJinja(chatTemplate: string, input: JinjaInput): string {
  const template = compile(chatTemplate);
  const vars: Record<string, unknown> = {
    messages: input.messages.map(jinjaMessage),
    // Like transformers and llama.cpp: `tools` is none, not an empty list, when there are none.
    tools: input.tools?.length ? input.tools : null,
    add_generation_prompt: input.addGenerationPrompt ?? true,
    bos_token: input.bosToken ?? "",
    eos_token: input.eosToken ?? "",
    date_string: dateString(),
    raise_exception: (msg: unknown) => {
      throw new RaisedByTemplate(String(msg));
    },
  };
  if (input.think !== undefined) vars.enable_thinking = input.think;
  if (input.thinkLevel !== undefined) vars.reasoning_effort = input.thinkLevel;
  Object.assign(vars, input.extra);
  try {
    return template.render(vars);
  } catch (e) {
    if (e instanceof RaisedByTemplate) throw new BadRequestError(e.message);
    throw new TemplateError(`jinja: ${(e as Error).message}`);
  }
}

export interface JinjaCapabilities {
  tools: boolean;
  thinking: boolean;
}

/** §8.4 for a GGUF Jinja template: tools ⇐ `tools`/`tool_call`; thinking ⇐ `<think>` … `</think>`. */
export function jinjaCapabilities(text: string): JinjaCapabilities {
  const tools = text.includes("tools") || text.includes("tool_call");
  const closes = text.includes("</think>");
  const thinking =
    closes && (text.includes("<think>") || text.includes(".split('</think>')") || text.includes('.split("</think>")'));
  return { tools, thinking };
}
