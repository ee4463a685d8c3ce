import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatResponse } from "../../../api/types.js";
import { BadRequestError } from "../../../util/errors.js";
import { chatChunk, doneChunk } from "../testing/fake-backend.js";
import { translateMessagesRequest } from "./request.js";
import { MessageEventTranslator, stopReasonOf } from "./response.js";

const base = { model: "m", max_tokens: 16 };

test("messages request → native request (table)", () => {
  const cases: { name: string; body: Record<string, unknown>; expect: Record<string, unknown> }[] = [
    {
      name: "string system and content; sampling options",
      body: { ...base, system: "sys", messages: [{ role: "user", content: "hi" }], temperature: 0.5, top_p: 0.9, top_k: 3, stop_sequences: ["x"] },
      expect: {
        messages: [{ role: "system", content: "sys" }, { role: "user", content: "hi" }],
        options: { num_predict: 16, temperature: 0.5, top_p: 0.9, top_k: 3, stop: ["x"] },
      },
    },
    {
      name: "text and base64 image blocks join one message",
      body: { ...base, messages: [{ role: "user", content: [{ type: "text", text: "see " }, { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }, { type: "text", text: "this" }] }] },
      expect: { messages: [{ role: "user", content: "see this", images: ["AAAA"] }] },
    },
    {
      name: "tool_result blocks become tool messages placed before the user's text",
      body: {
        ...base,
        messages: [
          { role: "assistant", content: [{ type: "thinking", thinking: "plan", signature: "s" }, { type: "tool_use", id: "t1", name: "f", input: { a: 1 } }] },
          { role: "user", content: [{ type: "text", text: "thanks" }, { type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "42" }] }] },
        ],
      },
      expect: {
        messages: [
          { role: "assistant", content: "", thinking: "plan", tool_calls: [{ id: "t1", function: { index: 0, name: "f", arguments: { a: 1 } } }] },
          { role: "tool", content: "42", tool_call_id: "t1", tool_name: "f" },
          { role: "user", content: "thanks" },
        ],
      },
    },
    {
      name: "custom tools map to functions; server tools are dropped; tool_choice ignored",
      body: {
        ...base,
        messages: [{ role: "user", content: "x" }],
        tool_choice: { type: "any" },
        tools: [{ name: "f", description: "d", input_schema: { type: "object" } }, { type: "web_search_20250305", name: "web_search" }],
      },
      expect: { tools: [{ type: "function", function: { name: "f", description: "d", parameters: { type: "object" } } }] },
    },
    { name: "thinking enabled → think true", body: { ...base, messages: [{ role: "user", content: "x" }], thinking: { type: "enabled", budget_tokens: 10 } }, expect: { think: true } },
    { name: "thinking disabled → think false", body: { ...base, messages: [{ role: "user", content: "x" }], thinking: { type: "disabled" } }, expect: { think: false } },
    { name: "output_config.effort xhigh → high", body: { ...base, messages: [{ role: "user", content: "x" }], output_config: { effort: "xhigh" } }, expect: { think: "high" } },
    { name: "no thinking field leaves think unset", body: { ...base, messages: [{ role: "user", content: "x" }] }, expect: { think: undefined } },
  ];
  for (const c of cases) {
    const { request } = translateMessagesRequest(c.body);
    for (const [key, value] of Object.entries(c.expect)) {
      assert.deepEqual((request as unknown as Record<string, unknown>)[key], value, `${c.name}: ${key}`);
    }
  }
});

test("validation messages (table)", () => {
  const msgs = [{ role: "user", content: "x" }];
  const cases: [Record<string, unknown>, string][] = [
    [{ max_tokens: 5, messages: msgs }, "model is required"],
    [{ model: "m", messages: msgs }, "max_tokens is required and must be positive"],
    [{ model: "m", max_tokens: -1, messages: msgs }, "max_tokens is required and must be positive"],
    [{ model: "m", max_tokens: 5, messages: [] }, "messages is required"],
    [{ ...base, messages: [{ role: "assistant", content: [{ type: "tool_use", name: "f" }] }] }, "tool_use block missing required 'id' field"],
    [{ ...base, messages: [{ role: "assistant", content: [{ type: "tool_use", id: "a" }] }] }, "tool_use block missing required 'name' field"],
    [
      { ...base, messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "https://x" } }] }] },
      "invalid image source type: url. Only base64 images are supported.",
    ],
  ];
  for (const [body, message] of cases) {
    assert.throws(() => translateMessagesRequest(body), (e: unknown) => e instanceof BadRequestError && e.message === message, message);
  }
  // count_tokens bodies have no max_tokens.
  assert.doesNotThrow(() => translateMessagesRequest({ model: "m", messages: msgs }, { requireMaxTokens: false }));
});

function events(chunks: ChatResponse[]): unknown[] {
  const t = new MessageEventTranslator("msg_x", "m", 7);
  return [...t.start(), ...chunks.flatMap((c) => t.translate(c))].map((e) => e.data);
}

test("native chunks → Anthropic stream events: thinking, text, tool_use", () => {
  const out = events([
    chatChunk({ thinking: "a" }),
    chatChunk({ thinking: "b", content: "Hi" }),
    chatChunk({ tool_calls: [{ id: "t1", function: { name: "f", arguments: { q: "x" } } }] }),
    doneChunk({ prompt_eval_count: 11, eval_count: 4 }),
  ]);
  assert.deepEqual(out, [
    {
      type: "message_start",
      message: { id: "msg_x", type: "message", role: "assistant", model: "m", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 7, output_tokens: 0 } },
    },
    { type: "ping" },
    { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
    { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "a" } },
    { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "b" } },
    { type: "content_block_stop", index: 0 },
    { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
    { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Hi" } },
    { type: "content_block_stop", index: 1 },
    { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "t1", name: "f", input: {} } },
    { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"q":"x"}' } },
    { type: "content_block_stop", index: 2 },
    { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { input_tokens: 11, output_tokens: 4 } },
    { type: "message_stop" },
  ]);
});

test("stop_reason mapping (table)", () => {
  assert.equal(stopReasonOf("stop", false), "end_turn");
  assert.equal(stopReasonOf("stop", false, "END"), "stop_sequence");
  assert.equal(stopReasonOf("length", false), "max_tokens");
  assert.equal(stopReasonOf("stop", true), "tool_use");
  assert.equal(stopReasonOf("", false), "end_turn");
});
