// Which template turns messages into a prompt (ollama-spec §8.1): the Modelfile's Go TEMPLATE
// (when OLLAMA_GO_TEMPLATE is on), else the GGUF Jinja `tokenizer.chat_template`, else the prompt
// verbatim for generate (`{{ .Prompt }}`) and llama.cpp's ChatML fallback for chat.

import type { Message, Tool } from "../api/types.js";
import { chooseTemplate } from "../store/index.js";
import type { JinjaTemplates } from "../template/index.js";
import { createGoRenderer } from "./go-renderer.js";
import { CHATML_TEMPLATE, createJinjaRenderer } from "./jinja-renderer.js";
import type { GgufSummary } from "./model-info.js";
import type { ThinkingTags, ToolFormat } from "./parsers/index.js";
import type { ThinkSetting } from "./validate.js";

export interface RenderOptions {
  tools?: Tool[];
  think: ThinkSetting;
}

export interface PromptRenderer {
  kind: "go" | "jinja" | "verbatim";
  /** Template text, for `_debug_render_only` and tool-format detection. */
  source: string;
  thinkingTags?: ThinkingTags;
  toolFormat: ToolFormat;
  /** Generic tool-call start tag (Go templates). */
  toolTag?: string;
  render(messages: Message[], opts: RenderOptions): string;
  /** Fill-in-the-middle (`insert` capability only). */
  renderSuffix?(prompt: string, suffix: string, opts: RenderOptions): string;
}

/** `{{ .Prompt }}` run per turn in Go's legacy mode: user and assistant texts in order, system ignored. */
export const verbatimRenderer: PromptRenderer = {
  kind: "verbatim",
  source: "{{ .Prompt }}",
  toolFormat: "generic",
  render(messages: Message[]): string {
    return messages
      .filter((m) => m.role === "user" || m.role === "assistant")
      .map((m) => m.content)
      .join("");
  },
};

export interface RendererChoice {
  /** Modelfile TEMPLATE (or the request's `template` override on generate). */
  goTemplate?: string;
  /** OLLAMA_GO_TEMPLATE. */
  preferGo: boolean;
  gguf: GgufSummary;
  /** Chat falls back to ChatML as llama-server does; generate to the prompt verbatim. */
  forChat: boolean;
  /** The service's cache of compiled Jinja templates. */
  templates?: JinjaTemplates;
}

export function chooseRenderer(c: RendererChoice): PromptRenderer {
  const template = chooseTemplate(c.goTemplate, c.gguf.chat_template, c.preferGo);
  if (template?.kind === "go") return createGoRenderer(template.source);
  const tokens = { bos: c.gguf.bosToken, eos: c.gguf.eosToken };
  if (template?.kind === "jinja") return createJinjaRenderer(template.source, tokens, c.templates);
  return c.forChat ? createJinjaRenderer(CHATML_TEMPLATE, tokens, c.templates) : verbatimRenderer;
}
