// The native chat path (ollama-spec §8.1): a GGUF `tokenizer.chat_template` rendered as llama-server
// renders it (OpenAI-style messages, `add_generation_prompt`, `enable_thinking`), and the template
// features Ollama reads from it (§8.4).

import { Template } from "@huggingface/jinja";
import type { Message, Tool } from "../api/types.js";
import { detectToolFormat } from "./parsers/index.js";
import { DEFAULT_THINKING_TAGS } from "./parsers/index.js";
import type { PromptRenderer, RenderOptions } from "./renderer.js";

/** llama.cpp's fallback when a model has no chat template at all. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export function jinjaCapabilities(source: string): string[] {
  const caps: string[] = [];
  if (source.includes("tools") || source.includes("tool_call")) caps.push("tools");
  if ((source.includes("<think>") && source.includes("</think>")) || source.includes("split('</think>')")) {
    caps.push("thinking");
  }
  return caps;
}

function toJinjaMessage(m: Message): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.thinking) out.reasoning_content = m.thinking;
  if (m.tool_calls?.length) {
    out.tool_calls = m.tool_calls.map((c) => ({
      ...(c.id ? { id: c.id } : {}),
      type: "function",
      function: { name: c.function.name, arguments: c.function.arguments },
    }));
  }
  if (m.tool_name) out.name = m.tool_name;
  if (m.tool_call_id) out.tool_call_id = m.tool_call_id;
  return out;
}

export function createJinjaRenderer(source: string, tokens: { bos?: string; eos?: string }): PromptRenderer {
  const template = new Template(source);
  const caps = jinjaCapabilities(source);
  return {
    kind: "jinja",
    source,
    capabilities: caps,
    thinkingTags: caps.includes("thinking") ? DEFAULT_THINKING_TAGS : undefined,
    toolFormat: detectToolFormat(source),
    render(messages: Message[], opts: RenderOptions): string {
      const last = messages[messages.length - 1];
      const ctx: Record<string, unknown> = {
        messages: messages.map(toJinjaMessage),
        add_generation_prompt: last?.role !== "assistant",
        bos_token: tokens.bos ?? "",
        eos_token: tokens.eos ?? "",
        enable_thinking: opts.think.enabled,
      };
      if (opts.tools?.length) ctx.tools = opts.tools.map((t: Tool) => ({ type: t.type, function: t.function }));
      if (opts.think.isSet && opts.think.enabled) ctx.reasoning_effort = opts.think.level;
      let text = template.render(ctx);
      // The tokenizer adds BOS itself; a template that prints it would double it (llama.cpp strips it too).
      if (tokens.bos && text.startsWith(tokens.bos)) text = text.slice(tokens.bos.length);
      return text;
    },
  };
}
