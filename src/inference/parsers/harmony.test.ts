import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HarmonyParser, type HarmonyParserOptions, parseHarmonyHeader } from "./harmony.js";
import { HarmonyToolNames, harmonySafeName } from "./harmony-names.js";
import { chunkings, feed, sequentialIds } from "./testing/test-support.js";
import { expectCalls, TOOLS } from "./testing/tool-fixtures.js";

interface Case {
  name: string;
  text: string;
  thinking: string;
  content: string;
  calls: Array<[string, Record<string, unknown>]>;
  prefill?: HarmonyParserOptions["prefillChannel"];
}

// Texts start where the model starts: right after the prompt's `<|start|>assistant`.
const cases: Case[] = [
  {
    name: "analysis then final",
    text:
      "<|channel|>analysis<|message|>User says hi. Respond politely.<|end|>" +
      "<|start|>assistant<|channel|>final<|message|>Hello! How can I help you today?<|return|>",
    thinking: "User says hi. Respond politely.",
    content: "Hello! How can I help you today?",
    calls: [],
  },
  {
    name: "analysis then a functions.get_weather call",
    text:
      "<|channel|>analysis<|message|>Need to use get_weather for Paris.<|end|>" +
      '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Paris"}<|call|>',
    thinking: "Need to use get_weather for Paris.",
    content: "",
    calls: [["get_weather", { city: "Paris" }]],
  },
  {
    name: "recipient before the channel, as the template renders it",
    text: ' to=functions.get_time<|channel|>commentary json<|message|>{"tz": "UTC"}<|call|>',
    thinking: "",
    content: "",
    calls: [["get_time", { tz: "UTC" }]],
  },
  {
    name: "safe tool name mapped back",
    text: '<|channel|>commentary to=functions.web_search_v2<|constrain|>json<|message|>{"query":"tides"}<|call|>',
    thinking: "",
    content: "",
    calls: [["web-search.v2", { query: "tides" }]],
  },
  {
    name: "built-in browser tool keeps its name",
    text: '<|channel|>analysis<|message|>Search.<|end|><|start|>assistant<|channel|>analysis to=browser.search<|message|>{"query":"x"}<|call|>',
    thinking: "Search.",
    content: "",
    calls: [["browser.search", { query: "x" }]],
  },
  {
    name: "commentary without recipient is content",
    text: "<|channel|>commentary<|message|>Let me check.<|end|><|start|>assistant<|channel|>final<|message|> Done.",
    thinking: "",
    content: "Let me check. Done.",
    calls: [],
  },
  {
    name: "channel without <|start|> after an end",
    text: "<|channel|>analysis<|message|>a<|end|><|channel|>final<|message|>b",
    thinking: "a",
    content: "b",
    calls: [],
  },
  {
    name: "unterminated analysis at done",
    text: "<|channel|>analysis<|message|>thinking about <|en",
    thinking: "thinking about <|en",
    content: "",
    calls: [],
  },
  {
    name: "invalid call arguments stay visible",
    text: "<|channel|>commentary to=functions.get_time<|message|>{tz: utc}<|call|>",
    thinking: "",
    content: "{tz: utc}",
    calls: [],
  },
  {
    name: "empty arguments",
    text: "<|channel|>commentary to=functions.get_time <|constrain|>json<|message|><|call|>",
    thinking: "",
    content: "",
    calls: [["get_time", {}]],
  },
  {
    name: "two turns of calls",
    text:
      '<|channel|>commentary to=functions.get_time<|message|>{"tz":"CET"}<|call|>' +
      '<|start|>assistant<|channel|>commentary to=functions.get<|message|>{"url":"u"}<|call|>',
    thinking: "",
    content: "",
    calls: [
      ["get_time", { tz: "CET" }],
      ["get", { url: "u" }],
    ],
  },
  {
    name: "prefilled final continues as content",
    prefill: "final",
    text: " and that is all.<|end|>",
    thinking: "",
    content: " and that is all.",
    calls: [],
  },
  {
    name: "prefilled analysis continues as thinking",
    prefill: "analysis",
    text: "more thought<|end|><|start|>assistant<|channel|>final<|message|>ok",
    thinking: "more thought",
    content: "ok",
    calls: [],
  },
];

describe("HarmonyParser", () => {
  for (const c of cases) {
    it(c.name, () => {
      for (const [how, chunks] of chunkings(c.text)) {
        const p = new HarmonyParser(TOOLS, { newId: sequentialIds(), prefillChannel: c.prefill });
        const got = feed(p, chunks);
        assert.equal(got.thinking, c.thinking, how);
        assert.equal(got.content, c.content, how);
        assert.deepEqual(got.toolCalls, expectCalls(...c.calls), how);
      }
    });
  }

  it("streams content before the message ends", () => {
    const p = new HarmonyParser([]);
    assert.deepEqual(p.add("<|channel|>final<|message|>Hel"), { content: "Hel", thinking: "", toolCalls: [] });
    assert.deepEqual(p.add("lo<|e"), { content: "lo", thinking: "", toolCalls: [] });
  });
});

describe("harmony headers and names", () => {
  it("parses role, channel, recipient", () => {
    assert.deepEqual(parseHarmonyHeader("assistant<|channel|>commentary to=functions.f <|constrain|>json"), {
      role: "assistant",
      channel: "commentary",
      recipient: "functions.f",
    });
    assert.deepEqual(parseHarmonyHeader("assistant to=functions.f<|channel|>commentary<|constrain|>json"), {
      role: "assistant",
      channel: "commentary",
      recipient: "functions.f",
    });
    assert.deepEqual(parseHarmonyHeader("to=browser.open<|channel|>analysis"), {
      role: "",
      channel: "analysis",
      recipient: "browser.open",
    });
  });

  it("makes names identifier-safe and unique", () => {
    assert.equal(harmonySafeName("get weather-now.v2"), "get_weather_now_v2");
    assert.equal(harmonySafeName("3d?render!"), "_3drender");
    assert.equal(harmonySafeName("browser.search"), "browser.search");
    const names = new HarmonyToolNames(["a-b", "a.b", "a b", "python"]);
    assert.deepEqual(["a-b", "a.b", "a b", "python"].map((n) => names.safe(n)), ["a_b", "a_b_2", "a_b_3", "python"]);
    assert.equal(names.original("a_b_2"), "a.b");
    assert.equal(names.original("unknown"), "unknown");
  });
});
