import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chunkings, feed } from "./testing/test-support.js";
import { ThinkingParser } from "./thinking.js";
import { DEFAULT_THINKING_TAGS, type ThinkingTags } from "./types.js";

interface Case {
  name: string;
  text: string;
  thinking: string;
  content: string;
  tags?: ThinkingTags;
  prefilled?: boolean;
}

const cases: Case[] = [
  {
    name: "qwen3 shape",
    text: "<think>\nThe user greets me. I should greet back.\n</think>\n\nHello! How can I help you today?",
    thinking: "The user greets me. I should greet back.",
    content: "Hello! How can I help you today?",
  },
  { name: "leading whitespace before the tag", text: "\n\n  <think>a</think>b", thinking: "a", content: "b" },
  { name: "no thinking at all", text: "Just an answer.", thinking: "", content: "Just an answer." },
  { name: "answer keeps its leading whitespace", text: "  Just an answer.", thinking: "", content: "  Just an answer." },
  { name: "empty thinking block (qwen3 think off)", text: "<think>\n\n</think>\n\nHi", thinking: "", content: "Hi" },
  { name: "opening tag later is content", text: "Hi <think>x</think>", thinking: "", content: "Hi <think>x</think>" },
  { name: "second closing tag is content", text: "<think>a</think>b</think>c", thinking: "a", content: "b</think>c" },
  { name: "inner whitespace kept", text: "<think>step 1\n\nstep 2</think>ok", thinking: "step 1\n\nstep 2", content: "ok" },
  { name: "partial closing tag inside thinking", text: "<think>a </thin b</think>c", thinking: "a </thin b", content: "c" },
  { name: "unterminated thinking at done", text: "<think>\nstill going </thi", thinking: "still going </thi", content: "" },
  { name: "only a partial opening tag", text: "<thi", thinking: "", content: "<thi" },
  { name: "whitespace only", text: " \n", thinking: "", content: " \n" },
  { name: "empty output", text: "", thinking: "", content: "" },
  {
    name: "prefilled (deepseek-r1 prompt ends with <think>)",
    text: "\nOkay, 2+2 is 4.\n</think>\n\nThe answer is 4.",
    thinking: "Okay, 2+2 is 4.",
    content: "The answer is 4.",
    prefilled: true,
  },
  { name: "prefilled, no closing tag", text: "thinking forever", thinking: "thinking forever", content: "", prefilled: true },
  {
    name: "custom tags",
    tags: { open: "[THINK]", close: "[/THINK]" },
    text: "[THINK]Let me see.[/THINK]Result: 7",
    thinking: "Let me see.",
    content: "Result: 7",
  },
  {
    name: "tags sharing a prefix with the text",
    tags: { open: "<|begin_of_thought|>", close: "<|end_of_thought|>" },
    text: "<|begin_of_thought|>a <| b<|end_of_thought|>\n<|x|>",
    thinking: "a <| b",
    content: "<|x|>",
  },
];

describe("ThinkingParser", () => {
  for (const c of cases) {
    it(c.name, () => {
      for (const [how, chunks] of chunkings(c.text)) {
        const p = new ThinkingParser(c.tags ?? DEFAULT_THINKING_TAGS, { prefilled: c.prefilled });
        const got = feed(p, chunks);
        assert.equal(got.thinking, c.thinking, how);
        assert.equal(got.content, c.content, how);
      }
    });
  }

  it("never emits part of a tag while streaming", () => {
    const p = new ThinkingParser(DEFAULT_THINKING_TAGS);
    const emitted: string[] = [];
    for (const ch of "<think>abc</think>def") {
      const o = p.add(ch);
      emitted.push(o.thinking, o.content);
    }
    const all = emitted.join("");
    assert.ok(!all.includes("<") && !all.includes(">"), all);
  });

  it("streams thinking before the closing tag arrives", () => {
    const p = new ThinkingParser(DEFAULT_THINKING_TAGS);
    assert.deepEqual(p.add("<think>Let me "), { thinking: "Let me", content: "" });
    assert.deepEqual(p.add("think</"), { thinking: " think", content: "" });
    assert.deepEqual(p.add("think>Hi"), { thinking: "", content: "Hi" });
  });

  it("rejects empty tags", () => {
    assert.throws(() => new ThinkingParser({ open: "", close: "</think>" }));
  });
});
