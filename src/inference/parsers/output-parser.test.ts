import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createOutputParser, type OutputParserOptions } from "./output-parser.js";
import { chunkings, feed, randomChunks, seededRandom, sequentialIds } from "./testing/test-support.js";
import { expectCalls, TOOLS } from "./testing/tool-fixtures.js";
import { DEFAULT_THINKING_TAGS } from "./types.js";

interface Case {
  name: string;
  options: OutputParserOptions;
  text: string;
  thinking: string;
  content: string;
  calls: Array<[string, Record<string, unknown>]>;
}

const qwen3: OutputParserOptions = { think: true, thinkingTags: DEFAULT_THINKING_TAGS, toolFormat: "hermes", tools: TOOLS };

const cases: Case[] = [
  {
    name: "qwen3 thinking, content and a call",
    options: qwen3,
    text:
      "<think>\nThe user wants the weather in Paris. I'll call get_weather.\n</think>\n\nLet me check.\n" +
      '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    thinking: "The user wants the weather in Paris. I'll call get_weather.",
    content: "Let me check.",
    calls: [["get_weather", { city: "Paris" }]],
  },
  {
    name: "think off leaves tags in the content",
    options: { ...qwen3, think: false },
    text: "<think>x</think>Hi",
    thinking: "",
    content: "<think>x</think>Hi",
    calls: [],
  },
  {
    name: "no tools: a call block is just content",
    options: { ...qwen3, tools: [] },
    text: '<think>a</think><tool_call>{"name": "get_time", "arguments": {}}</tool_call>',
    thinking: "a",
    content: '<tool_call>{"name": "get_time", "arguments": {}}</tool_call>',
    calls: [],
  },
  {
    name: "thinking level counts as think",
    options: { ...qwen3, think: "high", tools: undefined },
    text: "<think>deep</think>shallow",
    thinking: "deep",
    content: "shallow",
    calls: [],
  },
  {
    name: "deepseek-r1 prefilled thinking, no tools",
    options: { think: true, thinkingTags: DEFAULT_THINKING_TAGS, thinkingPrefilled: true },
    text: "\nHmm, 6*7.\n</think>\n\n42",
    thinking: "Hmm, 6*7.",
    content: "42",
    calls: [],
  },
  {
    name: "generic Go-template tag",
    options: { toolFormat: "generic", toolTag: "[TOOL_CALLS]", tools: TOOLS },
    text: 'Ok [TOOL_CALLS] [{"name": "get_time", "arguments": {"tz": "CET"}}]',
    thinking: "",
    content: "Ok ",
    calls: [["get_time", { tz: "CET" }]],
  },
  {
    name: "default format is generic with {",
    options: { tools: TOOLS },
    text: '{"name": "get", "arguments": {"url": "u"}}',
    thinking: "",
    content: "",
    calls: [["get", { url: "u" }]],
  },
  {
    name: "llama3",
    options: { toolFormat: "llama3", tools: TOOLS },
    text: '<|python_tag|>{"name": "get_time", "parameters": {"tz": "PST"}}',
    thinking: "",
    content: "",
    calls: [["get_time", { tz: "PST" }]],
  },
  {
    name: "mistral with [THINK] tags",
    options: { think: true, thinkingTags: { open: "[THINK]", close: "[/THINK]" }, toolFormat: "mistral", tools: TOOLS },
    text: '[THINK]Use the tool.[/THINK][TOOL_CALLS]get_time[ARGS]{"tz": "CET"}',
    thinking: "Use the tool.",
    content: "",
    calls: [["get_time", { tz: "CET" }]],
  },
  {
    name: "harmony runs alone",
    options: { toolFormat: "harmony", tools: TOOLS, think: false },
    text: "<|channel|>analysis<|message|>hm<|end|><|start|>assistant<|channel|>final<|message|>yes",
    thinking: "hm",
    content: "yes",
    calls: [],
  },
];

describe("createOutputParser", () => {
  for (const c of cases) {
    it(c.name, () => {
      for (const [how, chunks] of chunkings(c.text)) {
        const got = feed(createOutputParser({ ...c.options, newToolCallId: sequentialIds() }), chunks);
        assert.equal(got.thinking, c.thinking, how);
        assert.equal(got.content, c.content, how);
        assert.deepEqual(got.toolCalls, expectCalls(...c.calls), how);
      }
    });
  }

  it("gives real calls random call_ ids", () => {
    const p = createOutputParser(qwen3);
    const out = p.add('<tool_call>{"name": "get_time", "arguments": {}}</tool_call>');
    assert.match(out.toolCalls[0].id!, /^call_[a-z0-9]{8}$/);
    assert.equal(out.toolCalls[0].function.index, 0);
  });
});

// Fragments chosen to collide with every tag and holdback rule the parsers have.
const FRAGMENTS = [
  "<think>", "</think>", "<thi", "</", "<", ">", " ", "\n", "\n\n", "Hello", "world", "{", "}", "[", "]",
  '"', "\\", '{"name": "get_time", "arguments": {"tz": "CET"}}', '{"get_weather": {"city": "P}"}}',
  "<tool_call>", "</tool_call>", "<tool_c", "[TOOL_CALLS]", "[ARGS]", "get_time", "get", "_weather",
  "[TOOL_CALLS]get[ARGS]{\"url\": \"x\"}", '[{"name": "get", "arguments": {}}]', "<|python_tag|>",
  "<|start|>", "<|end|>", "<|call|>", "<|channel|>", "<|message|>", "analysis", "final",
  "commentary to=functions.get_time ", "<|constrain|>json", "<|e", "<|", "; ",
  "<function=get_weather>", "<parameter=days>", "7", "</parameter>", "</function>",
];

const CONFIGS: Array<[string, OutputParserOptions]> = [
  ["qwen3 hermes", qwen3],
  ["prefilled generic", { think: true, thinkingTags: DEFAULT_THINKING_TAGS, thinkingPrefilled: true, tools: TOOLS }],
  ["generic <tool_call>", { toolFormat: "generic", toolTag: "<tool_call>", tools: TOOLS }],
  ["generic [", { toolFormat: "generic", toolTag: "[", tools: TOOLS }],
  ["llama3", { toolFormat: "llama3", tools: TOOLS }],
  ["mistral", { think: true, thinkingTags: DEFAULT_THINKING_TAGS, toolFormat: "mistral", tools: TOOLS }],
  ["harmony", { toolFormat: "harmony", tools: TOOLS }],
];

describe("chunking fuzz: any split gives the same result", () => {
  for (const [name, options] of CONFIGS) {
    it(name, () => {
      const rand = seededRandom(0x5eed + name.length);
      for (let round = 0; round < 150; round++) {
        const n = 1 + Math.floor(rand() * 14);
        let text = "";
        for (let i = 0; i < n; i++) text += FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)];
        const run = (chunks: string[]) => feed(createOutputParser({ ...options, newToolCallId: sequentialIds() }), chunks);
        const whole = run([text]);
        for (let k = 0; k < 6; k++) {
          const chunks = randomChunks(text, rand, 1 + Math.floor(rand() * 6));
          assert.deepEqual(run(chunks), whole, `text ${JSON.stringify(text)} chunks ${JSON.stringify(chunks)}`);
        }
      }
    });
  }

  it("nothing is lost without tools or thinking", () => {
    const rand = seededRandom(42);
    for (let round = 0; round < 100; round++) {
      let text = "";
      for (let i = 0; i < 10; i++) text += FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)];
      const got = feed(createOutputParser({ toolFormat: "hermes" }), randomChunks(text, rand, 4));
      assert.equal(got.content, text);
    }
  });
});
