import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HermesToolParser } from "./hermes.js";
import { Llama3ToolParser } from "./llama3.js";
import { MistralToolParser } from "./mistral.js";
import { chunkings, feed, sequentialIds } from "./testing/test-support.js";
import { ToolCallFactory } from "./tool-calls.js";
import { expectCalls, TOOLS } from "./testing/tool-fixtures.js";
import type { StreamParser } from "./types.js";

interface Case {
  name: string;
  text: string;
  content: string;
  calls: Array<[string, Record<string, unknown>]>;
}

function table(title: string, make: (calls: ToolCallFactory) => StreamParser, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, () => {
        for (const [how, chunks] of chunkings(c.text)) {
          const got = feed(make(new ToolCallFactory(sequentialIds())), chunks);
          assert.equal(got.content, c.content, how);
          assert.deepEqual(got.toolCalls, expectCalls(...c.calls), how);
        }
      });
    }
  });
}

table("HermesToolParser", (calls) => new HermesToolParser(TOOLS, calls), [
  {
    name: "qwen2.5 call after content",
    text: 'I\'ll look that up.\n\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "days": 3}}\n</tool_call>',
    content: "I'll look that up.",
    calls: [["get_weather", { city: "Paris", days: 3 }]],
  },
  {
    name: "two calls back to back",
    text: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {"tz": "Europe/Paris"}}\n</tool_call>\n',
    content: "",
    calls: [
      ["get_weather", { city: "Paris" }],
      ["get_time", { tz: "Europe/Paris" }],
    ],
  },
  {
    name: "plain answer with angle brackets",
    text: "Use <b>bold</b> and a < b > c, or <tool-call>.",
    content: "Use <b>bold</b> and a < b > c, or <tool-call>.",
    calls: [],
  },
  {
    name: "content after a call",
    text: '<tool_call>{"name": "get_time", "arguments": {}}</tool_call>\n\nWaiting for the result.',
    content: "Waiting for the result.",
    calls: [["get_time", {}]],
  },
  {
    name: "invalid JSON inside the tags is content",
    text: 'Hmm <tool_call>{"name": "get_time", "arguments": {tz}}</tool_call> ok',
    content: 'Hmm <tool_call>{"name": "get_time", "arguments": {tz}}</tool_call> ok',
    calls: [],
  },
  {
    name: "unterminated block with valid JSON at done",
    text: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Nice"}}\n',
    content: "",
    calls: [["get_weather", { city: "Nice" }]],
  },
  {
    name: "generation stopped inside the closing tag",
    text: '<tool_call>\n{"name": "get_time", "arguments": {"tz": "UTC"}}\n</tool_',
    content: "",
    calls: [["get_time", { tz: "UTC" }]],
  },
  {
    name: "unterminated block with partial JSON at done",
    text: '<tool_call>\n{"name": "get_weather", "argu',
    content: '<tool_call>\n{"name": "get_weather", "argu',
    calls: [],
  },
  {
    name: "nested braces inside strings",
    text: '<tool_call>{"name": "get", "arguments": {"url": "http://x/{id}?q=\\"}\\""}}</tool_call>',
    content: "",
    calls: [["get", { url: 'http://x/{id}?q="}"' }]],
  },
  {
    name: "qwen3-coder XML body with typed parameters",
    text:
      "Checking.\n<tool_call>\n<function=get_weather>\n<parameter=city>\nSan Francisco\n</parameter>\n" +
      "<parameter=days>\n5\n</parameter>\n</function>\n</tool_call>",
    content: "Checking.",
    calls: [["get_weather", { city: "San Francisco", days: 5 }]],
  },
  {
    name: "qwen3-coder XML body, boolean and multi-line string",
    text:
      "<tool_call>\n<function=web-search.v2>\n<parameter=query>\nline one\nline two\n</parameter>\n" +
      "<parameter=strict>\ntrue\n</parameter>\n</function>\n</tool_call>",
    content: "",
    calls: [["web-search.v2", { query: "line one\nline two", strict: true }]],
  },
  {
    name: "GLM arg_key/arg_value body",
    text:
      "I will search.\n<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n" +
      '<arg_key>days</arg_key>\n<arg_value>2</arg_value>\n<arg_key>opts</arg_key>\n<arg_value>{"a": [1]}</arg_value>\n</tool_call>',
    content: "I will search.",
    calls: [["get_weather", { city: "Paris", days: 2, opts: { a: [1] } }]],
  },
  {
    name: "GLM call without arguments",
    text: "<tool_call>get_time</tool_call>",
    content: "",
    calls: [["get_time", {}]],
  },
  {
    name: "a lone unknown word in tags is content",
    text: "<tool_call>hello</tool_call>",
    content: "<tool_call>hello</tool_call>",
    calls: [],
  },
]);

table("Llama3ToolParser", (calls) => new Llama3ToolParser(TOOLS, calls), [
  {
    name: "llama3.2 bare JSON",
    text: '{"name": "get_weather", "parameters": {"city": "San Francisco, CA"}}',
    content: "",
    calls: [["get_weather", { city: "San Francisco, CA" }]],
  },
  {
    name: "llama3.1 with python tag",
    text: '<|python_tag|>{"name": "get_time", "parameters": {"tz": "PST"}}',
    content: "",
    calls: [["get_time", { tz: "PST" }]],
  },
  {
    name: "two calls separated by a semicolon",
    text: '{"name": "get_weather", "parameters": {"city": "Paris"}}; {"name": "get_time", "parameters": {"tz": "CET"}}',
    content: "",
    calls: [
      ["get_weather", { city: "Paris" }],
      ["get_time", { tz: "CET" }],
    ],
  },
  {
    name: "a normal answer",
    text: "The capital of France is Paris. {not json}",
    content: "The capital of France is Paris. {not json}",
    calls: [],
  },
  {
    name: "leading whitespace then an answer",
    text: "\n  <|python_t is not a tag",
    content: "\n  <|python_t is not a tag",
    calls: [],
  },
]);

table("MistralToolParser", (calls) => new MistralToolParser(calls), [
  {
    name: "nemo array with several calls",
    text:
      '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "abc123def"}, ' +
      '{"name": "get_time", "arguments": {"tz": "CET"}, "id": "xyz987uvw"}]',
    content: "",
    calls: [
      ["get_weather", { city: "Paris" }],
      ["get_time", { tz: "CET" }],
    ],
  },
  {
    name: "v3 with a space and content before",
    text: 'Sure.\n[TOOL_CALLS] [{"name": "get_time", "arguments": {"tz": "UTC"}}]',
    content: "Sure.",
    calls: [["get_time", { tz: "UTC" }]],
  },
  {
    name: "whitespace before a broken call is kept",
    text: "Sure.\n[TOOL_CALLS] oops",
    content: "Sure.\n[TOOL_CALLS] oops",
    calls: [],
  },
  {
    name: "small 3.2 name[CALL_ID]id[ARGS]{…}, twice",
    text: '[TOOL_CALLS]get_weather[CALL_ID]a1b2c3d4e[ARGS]{"city": "Paris"}[TOOL_CALLS]get_time[ARGS]{"tz": "CET"}',
    content: "",
    calls: [
      ["get_weather", { city: "Paris" }],
      ["get_time", { tz: "CET" }],
    ],
  },
  {
    name: "devstral name[ARGS] with nested JSON",
    text: '[TOOL_CALLS]get[ARGS]{"url": "a{b}\\"c", "opts": {"x": [1, {"y": 2}]}}',
    content: "",
    calls: [["get", { url: 'a{b}"c', opts: { x: [1, { y: 2 }] } }]],
  },
  {
    name: "broken array is content",
    text: '[TOOL_CALLS][{"name": "get_time", "arguments": {tz}}] sorry',
    content: '[TOOL_CALLS][{"name": "get_time", "arguments": {tz}}] sorry',
    calls: [],
  },
  {
    name: "prose after the tag is content",
    text: "[TOOL_CALLS] I cannot call tools here.",
    content: "[TOOL_CALLS] I cannot call tools here.",
    calls: [],
  },
  {
    name: "plain answer",
    text: "No tools needed: [1, 2] and [TOOL] ok",
    content: "No tools needed: [1, 2] and [TOOL] ok",
    calls: [],
  },
  {
    name: "unterminated args at done",
    text: '[TOOL_CALLS]get_time[ARGS]{"tz": ',
    content: '[TOOL_CALLS]get_time[ARGS]{"tz": ',
    calls: [],
  },
]);

describe("tool parsers stream calls whole", () => {
  it("hermes emits a call only when its block closes", () => {
    const p = new HermesToolParser(TOOLS);
    const a = p.add('Hi <tool_call>{"name": "get_time", "arguments": {"tz": "CET"}}');
    assert.deepEqual([a.content, a.toolCalls.length], ["Hi", 0]);
    const b = p.add("</tool_call>");
    assert.equal(b.toolCalls.length, 1);
    assert.match(b.toolCalls[0].id!, /^call_[a-z0-9]{8}$/);
  });
});
