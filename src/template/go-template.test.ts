// Ollama's semantics on top of the engine: Vars, Messages/legacy/suffix modes, collation, tools,
// think values, capabilities, and the thinking / tool-call tags the output parsers need.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Message, Tool } from "../api/types.js";
import { BadRequestError } from "../util/errors.js";
import {
  inferThinkingTags,
  inferToolCallTag,
  parseTemplate,
  renderSuffixTemplate,
  renderTemplate,
  TemplateError,
  templateCapabilities,
} from "./index.js";

describe("Vars (identifiers a template uses)", () => {
  const cases: [string, string[]][] = [
    ["{{ .Prompt }}", ["prompt", "response"]],
    ["{{ .System }} {{ .Prompt }}", ["prompt", "response", "system"]],
    ["{{ .System }} {{ .Prompt }} {{ .Response }}", ["prompt", "response", "system"]],
    ["{{ with .Tools }}{{ . }}{{ end }} {{ .System }} {{ .Prompt }}", ["prompt", "response", "system", "tools"]],
    ["{{ range .Messages }}{{ .Role }} {{ .Content }}{{ end }}", ["content", "messages", "role"]],
    [
      '{{ range .Messages }}{{ if eq .Role "tool" }}Tool Result: {{ .ToolName }} {{ .Content }}{{ end }}{{ end }}',
      ["content", "messages", "role", "toolname"],
    ],
  ];
  for (const [text, vars] of cases) {
    it(text, () => {
      const tpl = parseTemplate(text);
      assert.deepEqual([...tpl.vars].sort(), vars);
      assert.equal(tpl.usesMessages, vars.includes("messages"));
      assert.equal(tpl.usesTools, vars.includes("tools"));
    });
  }

  it("appends {{ .Response }} only when neither .Messages nor .Response is used", () => {
    assert.equal(renderTemplate(parseTemplate("Q: {{ .Prompt }} A: "), { messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "yo" }, { role: "user", content: "again" }] }), "Q: hi A: yoQ: again A: ");
  });
});

describe("Messages mode and legacy mode", () => {
  const plain: Message[] = [
    { role: "user", content: "Hello friend!" },
    { role: "assistant", content: "Hello human!" },
    { role: "user", content: "What is your name?" },
  ];
  const mistral = {
    noResponse: "[INST] {{ if .System }}{{ .System }}\n\n{{ end }}{{ .Prompt }}[/INST] ",
    response: "[INST] {{ if .System }}{{ .System }}\n\n{{ end }}{{ .Prompt }}[/INST] {{ .Response }}",
    messages:
      '[INST] {{ if .System }}{{ .System }}\n\n{{ end }}\n{{- range .Messages }}\n{{- if eq .Role "user" }}{{ .Content }}[/INST] {{ else if eq .Role "assistant" }}{{ .Content }}[INST] {{ end }}\n{{- end }}',
  };

  for (const [name, text] of Object.entries(mistral)) {
    it(`mistral ${name}`, () => {
      const tpl = parseTemplate(text);
      assert.equal(renderTemplate(tpl, { messages: plain }), "[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] ");
      const withSystem = [{ role: "system", content: "You are a helpful assistant!" }, ...plain];
      assert.equal(
        renderTemplate(tpl, { messages: withSystem }),
        "[INST] You are a helpful assistant!\n\nHello friend![/INST] Hello human![INST] What is your name?[/INST] ",
      );
    });
  }

  it("legacy mode continues a trailing assistant message (cut after .Response)", () => {
    const messages = [...plain, { role: "assistant", content: "My name is Ollama and I" }];
    const want = "[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] My name is Ollama and I";
    for (const text of [
      "[INST] {{ .Prompt }}[/INST] ",
      "[INST] {{ .Prompt }}[/INST] {{ .Response }}",
      '\n{{- range $i, $m := .Messages }}\n{{- if eq .Role "user" }}[INST] {{ .Content }}[/INST] {{ else if eq .Role "assistant" }}{{ .Content }}{{ end }}\n{{- end }}',
    ]) {
      assert.equal(renderTemplate(parseTemplate(text), { messages }), want, text);
    }
  });

  it("chatml: legacy template and messages template agree", () => {
    const legacy =
      "{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}{{ if .Prompt }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n{{ end }}<|im_start|>assistant\n{{ .Response }}<|im_end|>\n";
    const messagesTpl = "\n{{- range $index, $_ := .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n";
    const messages = [{ role: "system", content: "You are a helpful assistant!" }, ...plain];
    const want =
      "<|im_start|>system\nYou are a helpful assistant!<|im_end|>\n<|im_start|>user\nHello friend!<|im_end|>\n<|im_start|>assistant\nHello human!<|im_end|>\n<|im_start|>user\nWhat is your name?<|im_end|>\n<|im_start|>assistant\n";
    assert.equal(renderTemplate(parseTemplate(legacy), { messages }), want);
    assert.equal(renderTemplate(parseTemplate(messagesTpl), { messages }), want);
  });

  it("collates consecutive same-role messages except tool results; .System joins all system messages", () => {
    const tpl = parseTemplate("S={{ .System }}|{{ range .Messages }}[{{ .Role }}:{{ .Content }}{{ with .ToolName }}@{{ . }}{{ end }}]{{ end }}");
    const messages: Message[] = [
      { role: "system", content: "a" },
      { role: "system", content: "b" },
      { role: "user", content: "Hello" },
      { role: "user", content: "How are you?" },
      { role: "tool", content: "sunny", tool_name: "get_weather" },
      { role: "tool", content: "72F", tool_name: "get_temperature" },
    ];
    assert.equal(
      renderTemplate(tpl, { messages }),
      "S=a\n\nb|[system:a\n\nb][user:Hello\n\nHow are you?][tool:sunny@get_weather][tool:72F@get_temperature]",
    );
    assert.equal(messages[2]!.content, "Hello", "caller's messages are not modified");
  });

  it("an extra `system` input becomes a leading system message", () => {
    const tpl = parseTemplate("{{ .System }}|{{ range .Messages }}{{ .Role }} {{ end }}");
    assert.equal(renderTemplate(tpl, { system: "sys", messages: [{ role: "user", content: "hi" }] }), "sys|system user ");
  });

  it("passes .Think, .ThinkLevel, .IsThinkSet and .Response", () => {
    const tpl = parseTemplate("{{ .Think }} {{ .ThinkLevel }} {{ .IsThinkSet }} [{{ .Response }}]{{ range .Messages }}{{ end }}");
    assert.equal(renderTemplate(tpl, { messages: [], think: true, thinkLevel: "high", isThinkSet: true }), "true high true []");
    assert.equal(renderTemplate(tpl, { messages: [] }), "false  false []");
  });

  it("message fields: thinking, images, tool calls with JSON arguments", () => {
    const tpl = parseTemplate(
      "{{ range .Messages }}{{ .Thinking }}|{{ len .Images }}|{{ range .ToolCalls }}{{ .ID }} {{ .Function.Index }} {{ .Function.Name }} {{ .Function.Arguments }} {{ .Function.Arguments.city }} {{ json .Function.Arguments }}{{ end }}{{ end }}",
    );
    const messages: Message[] = [
      {
        role: "assistant",
        content: "",
        thinking: "hmm",
        tool_calls: [{ id: "call_1", function: { index: 0, name: "get_weather", arguments: { unit: "c", city: "Paris" } } }],
      },
    ];
    assert.equal(
      renderTemplate(tpl, { messages }),
      'hmm|0|call_1 0 get_weather {"city":"Paris","unit":"c"} Paris {"city":"Paris","unit":"c"}',
    );
  });

  it("unknown message fields are an execution error (messages are structs)", () => {
    const tpl = parseTemplate("{{ range .Messages }}{{ .Nope }}{{ end }}");
    assert.throws(
      () => renderTemplate(tpl, { messages: [{ role: "user", content: "x" }] }),
      (e: unknown) => e instanceof TemplateError && /can't evaluate field Nope in type \*template\.templateMessage/.test(e.message),
    );
  });
});

const weather: Tool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get the weather",
    parameters: {
      type: "object",
      required: ["city"],
      properties: {
        unit: { type: ["string", "null"], enum: ["c", "f"] },
        city: { type: "string", description: "The city" },
        days: { type: "integer" },
        tags: { type: "array", items: { type: "string" } },
        opts: { type: "object" },
        either: { anyOf: [{ type: "string" }, { type: "number" }] },
      },
    },
  },
};

describe("tools", () => {
  it(".Tools prints as JSON (null without tools) while fields stay reachable", () => {
    const tpl = parseTemplate("{{ .Tools }}|{{ range .Messages }}{{ end }}{{ range .Tools }}{{ .Function.Name }}:{{ .Function }}{{ end }}");
    assert.equal(renderTemplate(tpl, { messages: [] }), "null|");
    const fn =
      '{"name":"get_weather","description":"Get the weather","parameters":{"type":"object","required":["city"],"properties":{"city":{"type":"string","description":"The city"},"days":{"type":"integer"},"either":{"anyOf":[{"type":"string"},{"type":"number"}]},"opts":{"type":"object"},"tags":{"type":"array","items":{"type":"string"}},"unit":{"type":["string","null"],"enum":["c","f"]}}}}';
    assert.equal(renderTemplate(tpl, { messages: [], tools: [weather] }), `[{"type":"function","function":${fn}}]|get_weather:${fn}`);
  });

  it("ranges over properties in sorted order with toTypeScriptType and the property's type", () => {
    const tpl = parseTemplate(
      "{{ range .Messages }}{{ end }}{{ range .Tools }}{{ range $name, $p := .Function.Parameters.Properties }}{{ $name }}: {{ toTypeScriptType $p }} ({{ $p.Type }}); {{ end }}{{ .Function.Parameters.Required }}{{ end }}",
    );
    assert.equal(
      renderTemplate(tpl, { messages: [], tools: [weather] }),
      "city: string (string); days: number (integer); either: string | number (); opts: Record<string, any> (object); tags: any[] (array); unit: string | null ([string null]); [city]",
    );
  });
});

describe("suffix mode", () => {
  const tpl = parseTemplate("{{- if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>\n{{- else }}{{ .Prompt }}\n{{- end }}");
  it("uses .Prompt and .Suffix when both are set", () => {
    assert.equal(renderSuffixTemplate(tpl, { prompt: "def add(", suffix: "return x" }), "<PRE> def add( <SUF>return x <MID>");
    assert.equal(templateCapabilities(tpl).insert, true);
  });
  it("falls back to a chat of one user message", () => {
    assert.equal(renderSuffixTemplate(tpl, { prompt: "hello", suffix: "" }), "hello");
    assert.equal(renderTemplate(tpl, { messages: [{ role: "user", content: "hello" }] }), "hello");
  });
});

const qwen3 = `
{{- if or .System .Tools .Thinking }}<|im_start|>system
{{- if .System }}
{{ .System }}
{{- end }}
{{- if .Tools }}

# Tools
<tools>
{{- range .Tools }}
{"type": "function", "function": {{ .Function }}}
{{- end }}
</tools>
{{- end }}<|im_end|>
{{ end }}
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 -}}
{{- if eq .Role "user" }}<|im_start|>user
{{ .Content }}<|im_end|>
{{ else if eq .Role "assistant" }}<|im_start|>assistant
{{ if and $last .Thinking }}
<think>{{ .Thinking }}</think>
{{ end }}
{{ if .Content }}{{ .Content }}
{{- else if .ToolCalls }}<tool_call>
{{ range .ToolCalls }}{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}
{{ end }}</tool_call>
{{- end }}{{ if not $last }}<|im_end|>
{{ end }}
{{- else if eq .Role "tool" }}<|im_start|>user
<tool_response>
{{ .Content }}
</tool_response><|im_end|>
{{ end }}
{{- if and (ne .Role "assistant") $last }}<|im_start|>assistant
{{ end }}
{{- end }}`;

describe("capabilities and inferred tags", () => {
  it("qwen3-style template: tools, thinking, <think> tags, <tool_call> tag", () => {
    const tpl = parseTemplate(qwen3);
    assert.deepEqual(templateCapabilities(tpl), { tools: true, insert: false, thinking: true });
    assert.deepEqual(inferThinkingTags(tpl), { open: "<think>", close: "</think>" });
    assert.equal(inferToolCallTag(tpl), "<tool_call>");
  });

  it("renders a tool-call round trip", () => {
    const got = renderTemplate(parseTemplate(qwen3), {
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }],
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: "", tool_calls: [{ function: { name: "f", arguments: { b: 2, a: "x" } } }] },
        { role: "tool", content: "ok" },
      ],
    });
    assert.equal(
      got,
      '<|im_start|>system\n\n# Tools\n<tools>\n{"type": "function", "function": {"name":"f","description":"","parameters":{"type":"object","properties":{}}}}\n</tools><|im_end|>\n' +
        "<|im_start|>user\ngo<|im_end|>\n<|im_start|>assistant\n\n<tool_call>\n" +
        '{"name": "f", "arguments": {"a":"x","b":2}}\n</tool_call><|im_end|>\n' +
        "<|im_start|>user\n<tool_response>\nok\n</tool_response><|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("thinking tags need a range over .Messages and text on both sides", () => {
    const nested = `{{- range $i, $_ := .Messages }}{{- range $j, $_ := .NotMessages }}{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ end }}{{ end }}`;
    assert.equal(inferThinkingTags(parseTemplate(nested)), undefined);
    const trimmed = `{{- range $i, $_ := .Messages }}{{ if .Thinking }}
      Some text before   {{ .Thinking }}    Some text after
    {{ end }}{{ end }}`;
    assert.deepEqual(inferThinkingTags(parseTemplate(trimmed)), { open: "Some text before", close: "Some text after" });
    const gemma3 = `{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 }}
{{- if eq .Role "assistant" }}<start_of_turn>model
{{- if and $last .Thinking }}<unused94>{{ .Thinking }}<unused95>
{{ end }}
{{ .Content }}<end_of_turn>
{{ end }}{{ end }}`;
    assert.deepEqual(inferThinkingTags(parseTemplate(gemma3)), { open: "<unused94>", close: "<unused95>" });
    assert.equal(templateCapabilities(parseTemplate("{{ .Prompt }}")).thinking, false);
  });

  it("tool-call tag is cut before the first { and defaults to {", () => {
    const mistral = '{{ range .Messages }}{{ if .ToolCalls }}[TOOL_CALLS] [{{ range .ToolCalls }}{"name": "{{ .Function.Name }}"}{{ end }}]{{ end }}{{ end }}';
    assert.equal(inferToolCallTag(parseTemplate(mistral)), "[TOOL_CALLS] [");
    const bare = '{{ range .Messages }}{{ if .ToolCalls }}{{ range .ToolCalls }}{"name": "{{ .Function.Name }}"}{{ end }}{{ end }}{{ end }}';
    assert.equal(inferToolCallTag(parseTemplate(bare)), "{");
    assert.equal(inferToolCallTag(parseTemplate("{{ .Prompt }}")), "{");
    const llama = '{{ range .Messages }}{{ if .ToolCalls }}\n{{ range .ToolCalls }}{"name": "{{ .Function.Name }}"}{{ end }}{{ end }}{{ end }}';
    assert.equal(inferToolCallTag(parseTemplate(llama)), "{");
  });
});

describe("template errors", () => {
  it("parse errors are 400s reading `template error: …` with line and column", () => {
    assert.throws(
      () => parseTemplate("{{ range .Messages }}\n{{ .Content }\n{{ end }}"),
      (e: unknown) => e instanceof TemplateError && e instanceof BadRequestError && /^template error: template: :2:\d+: /.test(e.message),
    );
  });
});
