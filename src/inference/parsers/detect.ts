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
