// The rendered chat path with a Modelfile TEMPLATE (Go text/template, ollama-spec §8.2), and the
// template features the output parsers need (thinking tags, tool-call start tag).

import type { Message } from "../api/types.js";
import {
  inferThinkingTags,
  inferToolCallTag,
  parseTemplate,
  renderSuffixTemplate,
  renderTemplate,
  templateCapabilities,
} from "../template/index.js";
import { detectToolFormat } from "./parsers/index.js";
import type { PromptRenderer, RenderOptions } from "./renderer.js";

export function createGoRenderer(source: string): PromptRenderer {
  const tpl = parseTemplate(source);
  const caps = templateCapabilities(tpl);
  const thinkValues = (o: RenderOptions) => ({ think: o.think.enabled, thinkLevel: o.think.level, isThinkSet: o.think.isSet });
  return {
    kind: "go",
    source,
    thinkingTags: inferThinkingTags(tpl),
    toolFormat: detectToolFormat(source),
    toolTag: caps.tools ? inferToolCallTag(tpl) : undefined,
    render(messages: Message[], opts: RenderOptions): string {
      return renderTemplate(tpl, { messages, tools: opts.tools, ...thinkValues(opts) });
    },
    renderSuffix(prompt: string, suffix: string, opts: RenderOptions): string {
      return renderSuffixTemplate(tpl, { prompt, suffix, ...thinkValues(opts) });
    },
  };
}
