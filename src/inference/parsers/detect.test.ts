import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FIXTURES } from "../../testing/fixtures.js";
import { detectToolFormat, formatSpecialTokens, type ToolFormat } from "./detect.js";

const JINJA: Array<[string, ToolFormat]> = [
  ["openai-gpt-oss-120b", "harmony"],
  ["Mistral-Small-3.2-24B-Instruct-2506", "mistral"],
  ["mistralai-Mistral-Nemo-Instruct-2407", "mistral"],
  ["unsloth-mistral-Devstral-Small-2507", "mistral"],
  ["mistralai-Ministral-3-14B-Reasoning-2512", "mistral"],
  ["Qwen-Qwen2.5-7B-Instruct", "hermes"],
  ["Qwen-Qwen3-0.6B", "hermes"],
  ["Qwen-QwQ-32B", "hermes"],
  ["Qwen3-Coder", "hermes"],
  ["NousResearch-Hermes-3-Llama-3.1-8B-tool_use", "hermes"],
  ["NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use", "hermes"],
  ["meta-llama-Llama-3.1-8B-Instruct", "llama3"],
  ["meta-llama-Llama-3.2-3B-Instruct", "llama3"],
  ["meta-llama-Llama-3.3-70B-Instruct", "llama3"],
  ["google-gemma-2-2b-it", "generic"],
  ["deepseek-ai-DeepSeek-R1-Distill-Qwen-32B", "generic"],
];

describe("detectToolFormat", () => {
  for (const [name, want] of JINJA) {
    it(`${name}.jinja → ${want}`, () => {
      const text = readFileSync(join(FIXTURES, "jinja-templates", `${name}.jinja`), "utf8");
      assert.equal(detectToolFormat(text), want);
    });
  }

  it("Ollama's Go templates without a family marker are generic", () => {
    for (const name of ["command-r", "llama3-instruct", "mistral-instruct", "chatml"]) {
      const text = readFileSync(join(FIXTURES, "ollama-templates", `${name}.gotmpl`), "utf8");
      assert.equal(detectToolFormat(text), "generic", name);
    }
  });

  it("recognizes the families in Go templates from Ollama's library", () => {
    const qwen = '{{- if .ToolCalls }}<tool_call>\n{{ range .ToolCalls }}{"name": "{{ .Function.Name }}"}{{ end }}</tool_call>{{ end }}';
    const llama = '<|start_header_id|>assistant<|end_header_id|>\n{{ range .ToolCalls }}{"name": "{{ .Function.Name }}", "parameters": {{ .Function.Arguments }}}{{ end }}';
    const mistral = "{{- if .ToolCalls }}[TOOL_CALLS][{{ range .ToolCalls }}{{ json .Function }}{{ end }}]{{ end }}";
    assert.equal(detectToolFormat(qwen), "hermes");
    assert.equal(detectToolFormat(llama), "llama3");
    assert.equal(detectToolFormat(mistral), "mistral");
  });
});

describe("formatSpecialTokens", () => {
  it("lists the markers each format parses", () => {
    assert.ok(formatSpecialTokens("harmony").includes("<|channel|>"));
    assert.deepEqual(formatSpecialTokens("mistral"), ["[TOOL_CALLS]", "[ARGS]", "[CALL_ID]"]);
    assert.deepEqual(formatSpecialTokens("generic", "[TOOL_CALLS] ["), ["[TOOL_CALLS]"]);
    assert.deepEqual(formatSpecialTokens("generic", "<tool_call>\n"), ["<tool_call>"]);
    assert.deepEqual(formatSpecialTokens("generic", "{"), []);
    assert.deepEqual(formatSpecialTokens("generic"), []);
  });
});
