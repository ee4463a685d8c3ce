import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Tool } from "../../api/types.js";
import { GenericToolParser } from "./generic-tools.js";
import { chunkings, feed, sequentialIds } from "./testing/test-support.js";
import { ToolCallFactory } from "./tool-calls.js";
import { expectCalls, TOOLS } from "./testing/tool-fixtures.js";

interface Case {
  name: string;
  tag?: string;
  tools?: Tool[];
  text: string;
  content: string;
  calls: Array<[string, Record<string, unknown>]>;
}

const cases: Case[] = [
  {
    name: "llama3.1 JSON call",
    text: '{"name": "get_weather", "parameters": {"city": "Paris", "days": 2}}',
    content: "",
    calls: [["get_weather", { city: "Paris", days: 2 }]],
  },
  {
    name: "whitespace before the bare tag",
    text: '\n\n{"name": "get_time", "arguments": {"tz": "CET"}}',
    content: "\n\n",
    calls: [["get_time", { tz: "CET" }]],
  },
  {
    name: "prose first disables a bare { tag",
    text: 'The JSON is {"name": "get_time", "arguments": {"tz": "CET"}}',
    content: 'The JSON is {"name": "get_time", "arguments": {"tz": "CET"}}',
    calls: [],
  },
  {
    name: "JSON that names no tool is content",
    text: '{"city": "Paris"} and more {text}',
    content: '{"city": "Paris"} and more {text}',
    calls: [],
  },
  {
    name: "template tag with content before it (qwen2.5 Go template)",
    tag: "<tool_call>",
    text: 'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    content: "Let me check.\n",
    calls: [["get_weather", { city: "Paris" }]],
  },
  {
    name: "several calls in a [ array",
    tag: "[",
    text: '[{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_time", "arguments": {"tz": "UTC"}}]',
    content: "",
    calls: [
      ["get_weather", { city: "Paris" }],
      ["get_time", { tz: "UTC" }],
    ],
  },
  {
    name: "{toolname: args} shape",
    text: '{"get_weather": {"city": "Oslo"}}',
    content: "",
    calls: [["get_weather", { city: "Oslo" }]],
  },
  {
    name: "nested search",
    text: '{"tool": {"name": "get_weather", "arguments": {"city": "Rome"}}}',
    content: "",
    calls: [["get_weather", { city: "Rome" }]],
  },
  {
    name: "whole object when nothing else matches",
    tag: "<tool_call>",
    text: '<tool_call>get_weather {"city": "Lima"}</tool_call>',
    content: "",
    calls: [["get_weather", { city: "Lima" }]],
  },
  {
    name: "longest name wins on ties",
    text: '{"name": "get_weather", "arguments": {"city": "Paris"}}',
    content: "",
    calls: [["get_weather", { city: "Paris" }]],
  },
  {
    name: "braces and quotes inside strings",
    text: '{"name": "get_weather", "arguments": {"city": "Pa}ri{s \\"q\\" \\\\"}}',
    content: "",
    calls: [["get_weather", { city: 'Pa}ri{s "q" \\' }]],
  },
  {
    name: "arguments as a JSON string",
    text: '{"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}',
    content: "",
    calls: [["get_weather", { city: "Paris" }]],
  },
  {
    name: "name without arguments",
    text: '{"name": "get_time"}',
    content: "",
    calls: [["get_time", {}]],
  },
  {
    name: "invalid JSON after the tag becomes content",
    tag: "<tool_call>",
    text: 'Sure <tool_call>{"name": get_weather}</tool_call>',
    content: 'Sure <tool_call>{"name": get_weather}</tool_call>',
    calls: [],
  },
  {
    name: "unterminated call is content at done",
    tag: "<tool_call>",
    text: '<tool_call>{"name": "get_weather", "arguments": {"city": "Par',
    content: '<tool_call>{"name": "get_weather", "arguments": {"city": "Par',
    calls: [],
  },
  {
    name: "partial tag at the end is content at done",
    tag: "<tool_call>",
    text: "Done. <tool_c",
    content: "Done. <tool_c",
    calls: [],
  },
  {
    name: "semicolon-separated calls",
    text: '{"name": "get_time", "parameters": {"tz": "CET"}}; {"name": "get", "parameters": {"url": "x"}}',
    content: "",
    calls: [
      ["get_time", { tz: "CET" }],
      ["get", { url: "x" }],
    ],
  },
];

describe("GenericToolParser", () => {
  for (const c of cases) {
    it(c.name, () => {
      for (const [how, chunks] of chunkings(c.text)) {
        const p = new GenericToolParser(c.tools ?? TOOLS, c.tag, new ToolCallFactory(sequentialIds()));
        const got = feed(p, chunks);
        assert.equal(got.content, c.content, how);
        assert.deepEqual(got.toolCalls, expectCalls(...c.calls), how);
        assert.equal(got.thinking, "", how);
      }
    });
  }

  it("emits a call as soon as its object closes, with a random call_ id", () => {
    const p = new GenericToolParser(TOOLS, "{");
    assert.deepEqual(p.add('{"name": "get_time", "arguments": {"tz": "CET"}').toolCalls, []);
    const [call] = p.add("}").toolCalls;
    assert.match(call.id!, /^call_[a-z0-9]{8}$/);
    assert.deepEqual(call.function, { index: 0, name: "get_time", arguments: { tz: "CET" } });
  });

  it("waits while the buffer tail may still grow into a longer name", () => {
    const p = new GenericToolParser(TOOLS, "<tool_call>");
    assert.deepEqual(p.add('<tool_call>{"url": "x"} get').toolCalls, []);
    const out = p.add("_weather");
    assert.equal(out.toolCalls.length, 1);
    assert.equal(out.toolCalls[0].function.name, "get_weather");
  });

  it("passes everything through once disabled", () => {
    const p = new GenericToolParser(TOOLS, "{");
    assert.equal(p.add("Hello ").content, "Hello ");
    assert.equal(p.add('{"name": "get_time"}').content, '{"name": "get_time"}');
    assert.deepEqual(p.finish(), { content: "", thinking: "", toolCalls: [] });
  });
});
