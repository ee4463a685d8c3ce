// What a GGUF Jinja chat template lets a model do, read from its text alone (no Jinja parse, so
// listing models never loads the Jinja engine).

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
