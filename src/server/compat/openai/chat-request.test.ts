import assert from "node:assert/strict";
import { test } from "node:test";
import { BadRequestError } from "../../../util/errors.js";
import { translateChatRequest } from "./chat-request.js";

const PNG = "iVBORw0KGgo=";
const user = (content: unknown) => ({ role: "user", content });

test("chat request → native request (table)", () => {
  const cases: { name: string; body: Record<string, unknown>; expect: Record<string, unknown> }[] = [
    {
      name: "plain string message, OpenAI's defaults for temperature and top_p",
      body: { model: "m", messages: [user("hi")] },
      expect: { model: "m", messages: [{ role: "user", content: "hi" }], stream: false, options: { temperature: 1, top_p: 1 } },
    },
    {
      name: "content parts: text and data-URI image become separate messages",
      body: { model: "m", messages: [user([{ type: "text", text: "what?" }, { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }])] },
      expect: { messages: [{ role: "user", content: "what?" }, { role: "user", content: "", images: [PNG] }] },
    },
    {
      name: "sampling fields map to options; max_tokens → num_predict; stop string → list",
      body: { model: "m", messages: [user("x")], max_tokens: 7, temperature: 0.2, top_p: 0.5, seed: 42, stop: "END", frequency_penalty: 0.1, presence_penalty: 0.3 },
      expect: { options: { stop: ["END"], num_predict: 7, temperature: 0.2, seed: 42, frequency_penalty: 0.1, presence_penalty: 0.3, top_p: 0.5 } },
    },
    {
      name: "max_completion_tokens is honored and wins over max_tokens",
      body: { model: "m", messages: [user("x")], max_tokens: 7, max_completion_tokens: 9 },
      expect: { options: { num_predict: 9, temperature: 1, top_p: 1 } },
    },
    {
      name: "response_format json_object → format json",
      body: { model: "m", messages: [user("x")], response_format: { type: "json_object" } },
      expect: { format: "json" },
    },
    {
      name: "response_format json_schema → its schema",
      body: { model: "m", messages: [user("x")], response_format: { type: "json_schema", json_schema: { name: "s", schema: { type: "object" } } } },
      expect: { format: { type: "object" } },
    },
    {
      name: "response_format text is ignored; tool_choice is ignored; tools pass through",
      body: { model: "m", messages: [user("x")], response_format: { type: "text" }, tool_choice: "required", tools: [{ type: "function", function: { name: "f" } }] },
      expect: { format: undefined, tools: [{ type: "function", function: { name: "f" } }] },
    },
    { name: "reasoning_effort none → think false", body: { model: "m", messages: [user("x")], reasoning_effort: "none" }, expect: { think: false } },
    { name: "reasoning_effort minimal → low", body: { model: "m", messages: [user("x")], reasoning_effort: "minimal" }, expect: { think: "low" } },
    { name: "reasoning.effort xhigh → max", body: { model: "m", messages: [user("x")], reasoning: { effort: "xhigh" } }, expect: { think: "max" } },
    { name: "reasoning_effort high as-is", body: { model: "m", messages: [user("x")], reasoning_effort: "high" }, expect: { think: "high" } },
    {
      name: "logprobs and top_logprobs",
      body: { model: "m", messages: [user("x")], logprobs: true, top_logprobs: 3 },
      expect: { logprobs: true, top_logprobs: 3 },
    },
    {
      name: "assistant tool_calls with null content; tool reply gets tool_name from the call id",
      body: {
        model: "m",
        messages: [
          user("weather?"),
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
          { role: "tool", tool_call_id: "call_1", content: "sunny" },
        ],
      },
      expect: {
        messages: [
          { role: "user", content: "weather?" },
          { role: "assistant", content: "", tool_calls: [{ id: "call_1", function: { index: 0, name: "get_weather", arguments: { city: "Paris" } } }] },
          { role: "tool", content: "sunny", tool_name: "get_weather", tool_call_id: "call_1" },
        ],
      },
    },
    {
      name: "assistant reasoning → thinking; role lower-cased",
      body: { model: "m", messages: [{ role: "Assistant", content: "a", reasoning: "hmm" }, user("b")] },
      expect: { messages: [{ role: "assistant", content: "a", thinking: "hmm" }, { role: "user", content: "b" }] },
    },
  ];
  for (const c of cases) {
    const { request } = translateChatRequest(c.body);
    for (const [key, value] of Object.entries(c.expect)) {
      assert.deepEqual((request as unknown as Record<string, unknown>)[key], value, `${c.name}: ${key}`);
    }
  }
});

test("stream and stream_options.include_usage", () => {
  const t = translateChatRequest({ model: "m", messages: [user("x")], stream: true, stream_options: { include_usage: true } });
  assert.equal(t.stream, true);
  assert.equal(t.includeUsage, true);
  assert.equal(t.request.stream, true);
  assert.equal(translateChatRequest({ model: "m", messages: [user("x")] }).includeUsage, false);
});

test("chat request errors carry Ollama's messages (table)", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["empty messages", { model: "m", messages: [] }, "[] is too short - 'messages'"],
    ["missing model", { messages: [user("x")] }, "model is required"],
    [
      "http image URL",
      { model: "m", messages: [user([{ type: "image_url", image_url: { url: "https://x/cat.png" } }])] },
      "image URLs are not currently supported, please use base64 encoded data instead",
    ],
    ["unknown image data URI type", { model: "m", messages: [user([{ type: "image_url", image_url: "data:image/gif;base64,AAAA" }])] }, "invalid image input"],
    [
      "tool call arguments not a JSON object",
      { model: "m", messages: [{ role: "assistant", content: "", tool_calls: [{ id: "a", function: { name: "f", arguments: "[1]" } }] }] },
      "invalid tool call arguments",
    ],
    ["bad reasoning effort", { model: "m", messages: [user("x")], reasoning_effort: "huge" }, "invalid reasoning value"],
    ["top_logprobs out of range", { model: "m", messages: [user("x")], top_logprobs: 21 }, "top_logprobs must be between 0 and 20"],
    ["stop with a non-string", { model: "m", messages: [user("x")], stop: ["a", 1] }, "invalid type for 'stop' field"],
  ];
  for (const [name, body, message] of cases) {
    assert.throws(
      () => translateChatRequest(body),
      (err: unknown) => err instanceof BadRequestError && err.message.startsWith(message),
      name,
    );
  }
});
