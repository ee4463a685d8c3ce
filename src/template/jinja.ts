// Jinja chat templates (GGUF `tokenizer.chat_template`) rendered with @huggingface/jinja, given the
// variables real templates read: OpenAI-shaped messages (tool calls with object arguments,
// `tool_call_id`, `reasoning_content`), `tools`, `add_generation_prompt`, `bos_token`/`eos_token`,
// `enable_thinking`, `reasoning_effort`, `date_string`, plus caller-supplied extras (`builtin_tools`, …).

import { Environment, Interpreter, Template } from "@huggingface/jinja";
import type { Message, Tool } from "../api/types.js";
import { BadRequestError } from "../util/errors.js";
import { Lru } from "../util/lru.js";
import { TemplateError } from "./errors.js";
import { installJinjaCompat } from "./jinja-compat.js";
import { range, strftime } from "./jinja-globals.js";

installJinjaCompat();

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

/** Compiled chat templates by source, owned by whoever renders (inference keeps one per service). */
export type JinjaTemplates = Lru<string, Template>;

export function jinjaTemplates(max = 16): JinjaTemplates {
  return new Lru(max);
}

function compile(source: string, templates?: JinjaTemplates): Template {
  let t = templates?.get(source);
  if (t) return t;
  try {
    t = new Template(source);
  } catch (e) {
    throw new TemplateError(`jinja: ${(e as Error).message}`);
  }
  templates?.set(source, t);
  return t;
}

/** Mistral templates insist on 9-character alphanumeric ids; map others onto such ids, consistently. */
function mistralId(id: string): string {
  if (/^[A-Za-z0-9]{9}$/.test(id)) return id;
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  let out = "";
  for (let i = 0; i < 9; i++) {
    out += ID_CHARS[h % ID_CHARS.length];
    h = Math.imul(h ^ i, 0x01000193) >>> 0;
  }
  return out;
}
const ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function jinjaMessage(m: Message, index: number, fixId: (id: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: m.content ?? "" };
  if (m.thinking) {
    out.reasoning_content = m.thinking;
    out.thinking = m.thinking;
  }
  if (m.tool_calls?.length) {
    out.tool_calls = m.tool_calls.map((tc, i) => ({
      id: fixId(tc.id ?? `call_${index}_${i}`),
      type: "function",
      function: { name: tc.function.name, arguments: tc.function.arguments ?? {} },
    }));
  }
  if (m.tool_call_id) out.tool_call_id = fixId(m.tool_call_id);
  if (m.tool_name) out.name = m.tool_name;
  return out;
}

function globals(): Record<string, unknown> {
  return {
    true: true,
    false: false,
    none: null,
    True: true,
    False: false,
    None: null,
    range,
    strftime_now: (format: unknown) => strftime(new Date(), String(format)),
    raise_exception: (msg: unknown) => {
      throw new RaisedByTemplate(String(msg));
    },
  };
}

function run(template: Template, vars: Record<string, unknown>): string {
  // Template.render cannot replace its raise_exception, so build the environment it would build.
  const env = new Environment();
  for (const [k, v] of Object.entries({ ...globals(), ...vars })) env.set(k, v);
  return new Interpreter(env).run(template.parsed).value as string;
}

/** Renders a Jinja chat template; `raise_exception` becomes a BadRequestError with its message. */
/** `templates`: a cache of compiled templates; without one the template is compiled for this call. */
export function renderJinja(chatTemplate: string, input: JinjaInput, templates?: JinjaTemplates): string {
  const template = compile(chatTemplate, templates);
  const fixId = chatTemplate.includes("length 9") ? mistralId : (id: string) => id;
  const now = new Date();
  const tools = input.tools?.length ? input.tools : null;
  const vars: Record<string, unknown> = {
    messages: input.messages.map((m, i) => jinjaMessage(m, i, fixId)),
    // Like transformers and llama.cpp: `tools` is none, not an empty list, when there are none.
    tools,
    add_generation_prompt: input.addGenerationPrompt ?? true,
    bos_token: input.bosToken ?? "",
    eos_token: input.eosToken ?? "",
    date_string: strftime(now, "%d %b %Y"),
    // Firefunction-style templates take the tool specs as a JSON string and the date as `datetime`.
    functions: JSON.stringify(tools ?? [], null, 4),
    datetime: strftime(now, "%b %d %Y %H:%M:%S"),
  };
  if (input.think !== undefined) vars.enable_thinking = input.think;
  if (input.thinkLevel !== undefined) vars.reasoning_effort = input.thinkLevel;
  Object.assign(vars, input.extra);
  try {
    try {
      return run(template, vars);
    } catch (e) {
      // Tool-use-only templates iterate `tools` unconditionally: give them an empty list.
      if (e instanceof RaisedByTemplate || vars.tools !== null) throw e;
      return run(template, { ...vars, tools: [] });
    }
  } catch (e) {
    if (e instanceof RaisedByTemplate) throw new BadRequestError(e.message);
    throw new TemplateError(`jinja: ${(e as Error).message}`);
  }
}

