// Drives the Anthropic-compatible routes over HTTP with the official `@anthropic-ai/sdk`, as a user would.

import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ChatRequest } from "../../../api/types.js";
import { QueueFullError, RunnerCrashedError } from "../../../util/errors.js";
import { chatChunk, doneChunk, FakeBackend } from "../testing/fake-backend.js";
import { serveCompat, type TestServer } from "../testing/serve-for-test.js";

const backend = new FakeBackend({
  chat: (req) => {
    const last = req.messages?.[req.messages.length - 1];
    if (req.tools?.length && last?.role !== "tool") {
      return [
        chatChunk({ content: "Checking." }),
        chatChunk({ tool_calls: [{ id: "toolu_1", function: { index: 0, name: "get_weather", arguments: { city: "Paris" } } }] }),
        doneChunk({ prompt_eval_count: 20, eval_count: 9 }),
      ];
    }
    if (last?.content === "busy") return [new QueueFullError()];
    if (last?.content === "crash") return [chatChunk({ content: "par" }), new RunnerCrashedError()];
    if (last?.content === "long") return [chatChunk({ content: "and so on" }), doneChunk({ done_reason: "length" })];
    if (last?.content === "stopseq") return [chatChunk({ content: "one two" }), doneChunk({ stop_sequence: "three" } as object)];
    if (req.think) return [chatChunk({ thinking: "Hmm, " }), chatChunk({ thinking: "easy." }), chatChunk({ content: "4" }), doneChunk({ prompt_eval_count: 6, eval_count: 5 })];
    return [chatChunk({ content: "Hello" }), chatChunk({ content: " there" }), doneChunk({ prompt_eval_count: 12, eval_count: 3 })];
  },
  countChatTokens: (req) => 100 + (req.messages?.length ?? 0),
});

let server: TestServer;
let client: Anthropic;
before(async () => {
  server = await serveCompat(backend);
  client = new Anthropic({ baseURL: server.url, apiKey: "ollama", maxRetries: 0 });
});
after(() => server.close());

const weatherTool = { name: "get_weather", description: "Weather", input_schema: { type: "object" as const, properties: { city: { type: "string" } } } };

test("messages, not streamed", async () => {
  // This SDK version no longer types the sampling fields; older clients and raw callers still send them.
  const params = {
    model: "m",
    max_tokens: 64,
    system: [{ type: "text" as const, text: "Be " }, { type: "text" as const, text: "kind." }],
    messages: [{ role: "user" as const, content: "hi" }],
    temperature: 0.3,
    top_k: 5,
    stop_sequences: ["END"],
  };
  const msg = await client.messages.create(params as Anthropic.MessageCreateParamsNonStreaming);
  assert.match(msg.id, /^msg_[0-9a-f]{24}$/);
  assert.equal(msg.type, "message");
  assert.equal(msg.role, "assistant");
  assert.deepEqual(msg.content, [{ type: "text", text: "Hello there" }]);
  assert.equal(msg.stop_reason, "end_turn");
  assert.deepEqual(msg.usage, { input_tokens: 12, output_tokens: 3 });
  const native = backend.last<ChatRequest>("chat");
  assert.deepEqual(native.messages, [{ role: "system", content: "Be kind." }, { role: "user", content: "hi" }]);
  assert.deepEqual(native.options, { num_predict: 64, temperature: 0.3, top_k: 5, stop: ["END"] });
});

test("messages streamed with .stream(): events and final message", async () => {
  const stream = client.messages.stream({ model: "m", max_tokens: 64, messages: [{ role: "user", content: "hi" }] });
  const types: string[] = [];
  stream.on("streamEvent", (ev) => types.push(ev.type));
  let text = "";
  stream.on("text", (delta) => (text += delta));
  const final = await stream.finalMessage();
  assert.equal(text, "Hello there");
  assert.equal(final.content.length, 1);
  assert.ok(final.content[0].type === "text" && final.content[0].text === "Hello there");
  assert.equal(final.stop_reason, "end_turn");
  assert.equal(final.usage.output_tokens, 3);
  assert.equal(final.usage.input_tokens, 12);
  assert.deepEqual(types, [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
  ]);
});

test("a ping follows message_start on the wire", async () => {
  const res = await fetch(`${server.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", max_tokens: 8, stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  const events = [...(await res.text()).matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
  assert.deepEqual(events.slice(0, 3), ["message_start", "ping", "content_block_start"]);
});

test("tool_use: streamed and not; tool_result maps back to a tool message", async () => {
  const msg = await client.messages.create({ model: "m", max_tokens: 64, tools: [weatherTool], messages: [{ role: "user", content: "weather?" }] });
  assert.equal(msg.stop_reason, "tool_use");
  assert.deepEqual(msg.content, [
    { type: "text", text: "Checking." },
    { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
  ]);
  assert.deepEqual(backend.last<ChatRequest>("chat").tools, [
    { type: "function", function: { name: "get_weather", description: "Weather", parameters: weatherTool.input_schema } },
  ]);

  const final = await client.messages.stream({ model: "m", max_tokens: 64, tools: [weatherTool], messages: [{ role: "user", content: "weather?" }] }).finalMessage();
  assert.equal(final.stop_reason, "tool_use");
  const use = final.content.find((b) => b.type === "tool_use");
  assert.ok(use && use.type === "tool_use");
  assert.deepEqual(use.input, { city: "Paris" });
  assert.equal(use.id, "toolu_1");

  await client.messages.create({
    model: "m",
    max_tokens: 64,
    tools: [weatherTool],
    messages: [
      { role: "user", content: "weather?" },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }] },
    ],
  });
  assert.deepEqual(backend.last<ChatRequest>("chat").messages, [
    { role: "user", content: "weather?" },
    { role: "assistant", content: "", tool_calls: [{ id: "toolu_1", function: { index: 0, name: "get_weather", arguments: { city: "Paris" } } }] },
    { role: "tool", content: "sunny", tool_call_id: "toolu_1", tool_name: "get_weather" },
  ]);
});

test("thinking: request maps to think, blocks come back streamed and not", async () => {
  const params = { model: "m", max_tokens: 64, thinking: { type: "enabled" as const, budget_tokens: 1024 }, messages: [{ role: "user" as const, content: "2+2" }] };
  const msg = await client.messages.create(params);
  assert.equal(backend.last<ChatRequest>("chat").think, true);
  assert.deepEqual(msg.content.map((b) => b.type), ["thinking", "text"]);
  assert.ok(msg.content[0].type === "thinking" && msg.content[0].thinking === "Hmm, easy.");

  let thinking = "";
  const stream = client.messages.stream(params);
  stream.on("thinking", (delta) => (thinking += delta));
  const final = await stream.finalMessage();
  assert.equal(thinking, "Hmm, easy.");
  assert.ok(final.content[0].type === "thinking" && final.content[0].thinking === "Hmm, easy.");
  assert.ok(final.content[1].type === "text" && final.content[1].text === "4");
});

test("stop reasons: max_tokens and stop_sequence", async () => {
  const long = await client.messages.create({ model: "m", max_tokens: 3, messages: [{ role: "user", content: "long" }] });
  assert.equal(long.stop_reason, "max_tokens");
  const seq = await client.messages.create({ model: "m", max_tokens: 9, stop_sequences: ["three"], messages: [{ role: "user", content: "stopseq" }] });
  assert.equal(seq.stop_reason, "stop_sequence");
  assert.equal(seq.stop_sequence, "three");
});

test("count_tokens returns the backend's count of the rendered request", async () => {
  const res = await client.messages.countTokens({ model: "m", system: "sys", messages: [{ role: "user", content: "hi" }] });
  assert.deepEqual(res, { input_tokens: 102 });
  assert.deepEqual(backend.last<ChatRequest>("countChatTokens").messages, [{ role: "system", content: "sys" }, { role: "user", content: "hi" }]);
});

test("errors come back in Anthropic's shape with a request_id", async () => {
  await assert.rejects(client.messages.create({ model: "nope", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }), (err: unknown) => {
    assert.ok(err instanceof Anthropic.NotFoundError);
    const body = err.error as { type: string; error: { type: string; message: string }; request_id: string };
    assert.equal(body.type, "error");
    assert.deepEqual(body.error, { type: "not_found_error", message: "model 'nope' not found" });
    assert.match(body.request_id, /^req_[0-9a-f]{24}$/);
    assert.equal(err.requestID, body.request_id);
    return true;
  });
  await assert.rejects(client.messages.create({ model: "m", max_tokens: 0, messages: [{ role: "user", content: "hi" }] }), (err: unknown) => {
    assert.ok(err instanceof Anthropic.BadRequestError);
    assert.equal((err.error as { error: { message: string } }).error.message, "max_tokens is required and must be positive");
    return true;
  });
  await assert.rejects(
    client.messages.create({ model: "m", max_tokens: 5, stream: true, messages: [{ role: "user", content: "busy" }] }),
    (err: unknown) => err instanceof Anthropic.APIError && err.status === 503 && (err.error as { error: { type: string } }).error.type === "overloaded_error",
  );
});

test("thinking is dropped silently for a model without the capability", async () => {
  const plain = new FakeBackend({ capabilities: ["completion"] });
  const other = await serveCompat(plain);
  try {
    const c = new Anthropic({ baseURL: other.url, apiKey: "x", maxRetries: 0 });
    const msg = await c.messages.create({ model: "m", max_tokens: 8, thinking: { type: "enabled", budget_tokens: 1024 }, messages: [{ role: "user", content: "hi" }] });
    assert.deepEqual(msg.content, [{ type: "text", text: "hi" }]);
    assert.equal(plain.last<ChatRequest>("chat").think, undefined);
  } finally {
    await other.close();
  }
});

test("an error after streaming began arrives as an error event the SDK raises", async () => {
  const stream = client.messages.stream({ model: "m", max_tokens: 8, messages: [{ role: "user", content: "crash" }] });
  let text = "";
  stream.on("text", (d) => (text += d));
  await assert.rejects(stream.finalMessage(), (err: unknown) => err instanceof Anthropic.APIError && /model runner has unexpectedly stopped/.test(err.message));
  assert.equal(text, "par");
});
