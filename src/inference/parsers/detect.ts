// Picks the tool-call output format a model was trained on from its chat template text (Jinja
// or Go). Order matters: several templates mention more than one family's markers.

export type ToolFormat = "generic" | "hermes" | "llama3" | "mistral" | "harmony";

export function detectToolFormat(templateText: string): ToolFormat {
  if (templateText.includes("<|channel|>")) return "harmony";
  if (templateText.includes("[TOOL_CALLS]")) return "mistral";
  if (templateText.includes("<tool_call>")) return "hermes";
  if (templateText.includes("<|python_tag|>")) return "llama3";
  if (templateText.includes("<|start_header_id|>") && templateText.includes('"parameters"')) return "llama3";
  return "generic";
}

const SPECIAL_TOKENS: Record<Exclude<ToolFormat, "generic">, string[]> = {
  harmony: ["<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|constrain|>", "<|call|>", "<|return|>"],
  mistral: ["[TOOL_CALLS]", "[ARGS]", "[CALL_ID]"],
  llama3: ["<|python_tag|>"],
  hermes: ["<tool_call>", "</tool_call>"],
};

/**
 * Marker texts a format's parser must see literally. When they are special tokens the runner
 * has to detokenize them as text (Ollama's `preserved_tokens`); for the generic format that is
 * the tag itself when it looks like a `[…]`/`<…>` token.
 */
export function formatSpecialTokens(format: ToolFormat, toolTag?: string): string[] {
  if (format !== "generic") return [...SPECIAL_TOKENS[format]];
  const token = toolTag && /^(\[[^\]\s]+\]|<[^>\s]+>)/.exec(toolTag.trim());
  return token ? [token[0]] : [];
}
