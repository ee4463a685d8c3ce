// A model's capabilities (ollama-spec §8.4, §13.2): what its weights and templates can do.

import { type GgufFile } from "../gguf/index.js";
import type { Model } from "../store/index.js";
import { jinjaCapabilities, parseTemplate, templateCapabilities } from "../template/index.js";

export function chatTemplateOf(gguf: GgufFile | undefined): string | undefined {
  const t = gguf?.metadata["tokenizer.chat_template"];
  return typeof t === "string" ? t : undefined;
}

export function modelCapabilities(model: Model, gguf: GgufFile | undefined): string[] {
  const caps = new Set<string>(model.config.capabilities ?? []);
  if (gguf) {
    const arch = String(gguf.metadata["general.architecture"] ?? "");
    if (gguf.metadata[`${arch}.pooling_type`] !== undefined) caps.add("embedding");
    else caps.add("completion");
    if (gguf.metadata[`${arch}.vision.block_count`] !== undefined) caps.add("vision");
  } else if (model.modelPath) {
    caps.add("completion");
  }
  if (model.projectors.length) caps.add("vision");
  if (model.template !== undefined) {
    // Only a template naming .Tools, .Suffix or .Thinking can add a capability: any other (a 10 MiB
    // plain text one too) is not parsed at all.
    if (/Tools|Suffix|Thinking/.test(model.template)) {
      try {
        const c = templateCapabilities(parseTemplate(model.template));
        if (c.tools) caps.add("tools");
        if (c.insert) caps.add("insert");
        if (c.thinking) caps.add("thinking");
      } catch {
        // A template that no longer parses adds nothing; create refuses such templates.
      }
    }
  } else {
    const jinja = chatTemplateOf(gguf);
    if (jinja) {
      const c = jinjaCapabilities(jinja);
      if (c.tools) caps.add("tools");
      if (c.thinking) caps.add("thinking");
    }
  }
  const family = String(model.config.model_family ?? "");
  if (family === "gptoss" || family === "gpt-oss") caps.add("thinking");
  const order = ["completion", "tools", "insert", "vision", "embedding", "thinking", "image", "audio"];
  return [...caps].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}
