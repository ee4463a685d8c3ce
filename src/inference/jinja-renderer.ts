// The native chat path (ollama-spec §8.1): a GGUF `tokenizer.chat_template` rendered as llama-server
// renders it (add_generation_prompt unless continuing an assistant message, enable_thinking), with
// the features Ollama reads from the template (§8.4).

import type { Message } from "../api/types.js";
import { jinjaCapabilities, type JinjaTemplates, renderJinja } from "../template/index.js";
import { DEFAULT_THINKING_TAGS, detectToolFormat } from "./parsers/index.js";
import type { PromptRenderer, RenderOptions } from "./renderer.js";

/** llama.cpp's fallback when a model has no chat template at all. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export function createJinjaRenderer(source: string, tokens: { bos?: string; eos?: string }, templates?: JinjaTemplates): PromptRenderer {
  const caps = jinjaCapabilities(source);
  return {
    kind: "jinja",
    source,
    thinkingTags: caps.thinking ? DEFAULT_THINKING_TAGS : undefined,
    toolFormat: detectToolFormat(source),
    render(messages: Message[], opts: RenderOptions): string {
      let text = renderJinja(source, {
        messages,
        tools: opts.tools,
        addGenerationPrompt: messages[messages.length - 1]?.role !== "assistant",
        bosToken: tokens.bos,
        eosToken: tokens.eos,
        think: caps.thinking ? opts.think.enabled : undefined,
        thinkLevel: opts.think.isSet && opts.think.enabled ? opts.think.level : undefined,
      }, templates);
      // The tokenizer adds BOS itself; a template that prints it would double it (llama.cpp strips it too).
      if (tokens.bos && text.startsWith(tokens.bos)) text = text.slice(tokens.bos.length);
      return text;
    },
  };
}
