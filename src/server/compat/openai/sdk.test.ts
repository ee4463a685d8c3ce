// Drives the OpenAI-compatible routes over HTTP with the official `openai` SDK, as a user would.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import type { ChatRequest, EmbedRequest, GenerateRequest } from "../../../api/types.js";
import { RunnerCrashedError } from "../../../util/errors.js";
import { chatChunk, doneChunk, FakeBackend } from "../testing/fake-backend.js";
import { serveCompat, type TestServer } from "../testing/serve-for-test.js";

const backend = new FakeBackend({
  models: ["m", "hf.co/user/repo:Q4_K_M"],
  chat: (req) => {
    const last = req.messages?.[req.messages.length - 1]?.content ?? "";
    if (req.tools?.length) {
      return [chatChunk({ tool_calls: [{ id: "call_abcd1234", function: { index: 0, name: "get_weather", arguments: { city: "Paris" } } }] }), doneChunk()];
    }
    if (req.format && typeof req.format === "object") return [chatChunk({ content: '{"name":"Ada",' }), chatChunk({ content: '"age":36}' }), doneChunk()];
    if (last === "crash") return [chatChunk({ content: "par" }), new RunnerCrashedError()];
    if (last === "think") return [chatChunk({ thinking: "Let me see." }), chatChunk({ content: "42" }), doneChunk({ prompt_eval_count: 8, eval_count: 4 })];
    return [chatChunk({ content: "Hel" }), chatChunk({ content: "lo" }), doneChunk({ prompt_eval_count: 10, eval_count: 2 })];
  },
  generate: (req) => [
    { model: req.model, created_at: "2026-08-21T10:00:00Z", response: "Once", done: false },
    { model: req.model, created_at: "2026-08-21T10:00:00Z", response: " upon", done: false },
    { model: req.model, created_at: "2026-08-21T10:00:00Z", response: "", done: true, done_reason: "length", prompt_eval_count: 3, eval_count: 2 },
  ],
});

let server: TestServer;
let client: OpenAI;
before(async () => {
  server = await serveCompat(backend);
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "ollama", maxRetries: 0 });
});
after(() => server.close());

test("chat, not streamed", async () => {
  const res = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 5 });
  assert.match(res.id, /^chatcmpl-\d+$/);
  assert.equal(res.object, "chat.completion");
  assert.equal(res.system_fingerprint, "fp_ollama");
  assert.equal(res.choices[0].message.content, "Hello");
  assert.equal(res.choices[0].finish_reason, "stop");
  assert.deepEqual(res.usage, { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 });
  const native = backend.last<ChatRequest>("chat");
  assert.equal(native.options?.num_predict, 5);
  assert.equal(native.options?.temperature, 1);
});

test("chat, streamed with usage", async () => {
  const stream = await client.chat.completions.create({
    model: "m",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  const finishes: (string | null)[] = [];
  let usage: OpenAI.CompletionUsage | undefined | null;
  const ids = new Set<string>();
  for await (const chunk of stream) {
    ids.add(chunk.id);
    if (chunk.choices[0]) {
      text += chunk.choices[0].delta.content ?? "";
      finishes.push(chunk.choices[0].finish_reason);
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, "Hello");
  assert.deepEqual(finishes, [null, null, "stop"]);
  assert.deepEqual(usage, { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 });
  assert.equal(ids.size, 1);
});

test("chat streamed through the SDK's stream helper, with reasoning", async () => {
  const runner = client.chat.completions.stream({ model: "m", messages: [{ role: "user", content: "think" }], reasoning_effort: "high" });
  const done = await runner.finalChatCompletion();
  assert.equal(done.choices[0].message.content, "42");
  assert.equal((done.choices[0].message as unknown as { reasoning?: string }).reasoning, "Let me see.");
  assert.equal(backend.last<ChatRequest>("chat").think, "high");
});

test("tools: streamed and not, arguments as JSON strings", async () => {
  const tools: OpenAI.ChatCompletionTool[] = [
    { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
  ];
  const res = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "weather" }], tools });
  const call = res.choices[0].message.tool_calls![0];
  assert.equal(res.choices[0].finish_reason, "tool_calls");
  assert.equal(call.type, "function");
  assert.equal(call.id, "call_abcd1234");
  assert.ok(call.type === "function" && JSON.parse(call.function.arguments).city === "Paris");
  assert.deepEqual(backend.last<ChatRequest>("chat").tools, tools);

  const final = await client.chat.completions.stream({ model: "m", messages: [{ role: "user", content: "weather" }], tools }).finalChatCompletion();
  const streamed = final.choices[0].message.tool_calls![0];
  assert.ok(streamed.type === "function");
  assert.equal(streamed.function.name, "get_weather");
  assert.deepEqual(JSON.parse(streamed.function.arguments), { city: "Paris" });
  assert.equal(final.choices[0].finish_reason, "tool_calls");
});

test("json_schema response_format reaches the engine as format and parses", async () => {
  const schema = { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } }, required: ["name", "age"] };
  const res = await client.chat.completions.create({
    model: "m",
    messages: [{ role: "user", content: "who" }],
    response_format: { type: "json_schema", json_schema: { name: "person", schema } },
  });
  assert.deepEqual(JSON.parse(res.choices[0].message.content!), { name: "Ada", age: 36 });
  assert.deepEqual(backend.last<ChatRequest>("chat").format, schema);
});

test("an unknown model is a NotFoundError in OpenAI's shape", async () => {
  await assert.rejects(
    client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "hi" }] }),
    (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError);
      assert.equal(err.status, 404);
      assert.equal(err.message, "404 model 'nope' not found");
      assert.equal(err.type, "not_found_error");
      return true;
    },
  );
  await assert.rejects(client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "hi" }], stream: true }), OpenAI.NotFoundError);
});

test("bad requests are BadRequestErrors with Ollama's messages", async () => {
  await assert.rejects(client.chat.completions.create({ model: "m", messages: [] }), (err: unknown) => {
    assert.ok(err instanceof OpenAI.BadRequestError);
    assert.equal(err.type, "invalid_request_error");
    assert.match(err.message, /\[\] is too short - 'messages'/);
    return true;
  });
});

test("an error after streaming began surfaces as an APIError from the stream", async () => {
  const stream = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "crash" }], stream: true });
  let text = "";
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    })(),
    (err: unknown) => err instanceof OpenAI.APIError && /model runner has unexpectedly stopped/.test(err.message),
  );
  assert.equal(text, "par");
});

test("embeddings: float and base64", async () => {
  const floats = await client.embeddings.create({ model: "m", input: ["a", "b"], encoding_format: "float", dimensions: 3 });
  assert.equal(floats.object, "list");
  assert.deepEqual(floats.data.map((d) => d.embedding), [[0.5, -0.25, 0], [0.5, -0.25, 1]]);
  assert.deepEqual(floats.usage, { prompt_tokens: 4, total_tokens: 4 });
  assert.deepEqual(backend.last<EmbedRequest>("embed"), { model: "m", input: ["a", "b"], dimensions: 3 });
  // The SDK asks for base64 by default and decodes it back to floats.
  const decoded = await client.embeddings.create({ model: "m", input: "a" });
  assert.deepEqual(decoded.data[0].embedding, [0.5, -0.25, 0]);
  const raw = await client.embeddings.create({ model: "m", input: "a", encoding_format: "base64" });
  const bytes = Buffer.from(raw.data[0].embedding as unknown as string, "base64");
  assert.deepEqual([0, 4, 8].map((o) => bytes.readFloatLE(o)), [0.5, -0.25, 0]);
  await assert.rejects(client.embeddings.create({ model: "m", input: [] }), /invalid input/);
});

test("models: list and retrieve, slashes in names, 404", async () => {
  const ids: string[] = [];
  for await (const m of client.models.list()) ids.push(`${m.id} ${m.owned_by}`);
  assert.deepEqual(ids, ["m library", "hf.co/user/repo:Q4_K_M user"]);
  const m = await client.models.retrieve("hf.co/user/repo:Q4_K_M");
  assert.equal(m.id, "hf.co/user/repo:Q4_K_M");
  assert.equal(m.created, Date.parse("2026-08-21T10:00:00Z") / 1000);
  await assert.rejects(client.models.retrieve("missing"), OpenAI.NotFoundError);
});

test("completions: streamed and not", async () => {
  const res = await client.completions.create({ model: "m", prompt: "Once", max_tokens: 2 });
  assert.equal(res.choices[0].text, "Once upon");
  assert.equal(res.choices[0].finish_reason, "length");
  assert.match(res.id, /^cmpl-/);
  assert.deepEqual(res.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  assert.equal(backend.last<GenerateRequest>("generate").options?.num_predict, 2);
  let text = "";
  for await (const chunk of await client.completions.create({ model: "m", prompt: "Once", stream: true })) text += chunk.choices[0]?.text ?? "";
  assert.equal(text, "Once upon");
});

test("responses: not streamed, streamed events, and function calls", async () => {
  const res = await client.responses.create({ model: "m", instructions: "be brief", input: "think" });
  assert.equal(res.status, "completed");
  assert.equal(res.output_text, "42");
  assert.deepEqual(res.output.map((o) => o.type), ["reasoning", "message"]);
  assert.deepEqual(res.usage?.input_tokens, 8);
  assert.deepEqual(backend.last<ChatRequest>("chat").messages?.[0], { role: "system", content: "be brief" });

  const events: string[] = [];
  const seq: number[] = [];
  for await (const ev of await client.responses.create({ model: "m", input: "hi", stream: true })) {
    events.push(ev.type);
    seq.push(ev.sequence_number);
  }
  assert.deepEqual(events, [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
  ]);
  assert.deepEqual(seq, events.map((_, i) => i));

  const final = await client.responses.stream({ model: "m", input: "think" }).finalResponse();
  assert.equal(final.output_text, "42");

  const tools: OpenAI.Responses.FunctionTool[] = [{ type: "function", name: "get_weather", parameters: { type: "object" }, strict: false }];
  const withCall = await client.responses.create({
    model: "m",
    tools,
    input: [
      { role: "user", content: "weather" },
      { type: "function_call", call_id: "c1", name: "get_weather", arguments: '{"city":"Rome"}' },
      { type: "function_call_output", call_id: "c1", output: "rainy" },
    ],
  });
  const call = withCall.output[0];
  assert.ok(call.type === "function_call");
  assert.equal(call.name, "get_weather");
  assert.deepEqual(JSON.parse(call.arguments), { city: "Paris" });
  assert.deepEqual(backend.last<ChatRequest>("chat").messages, [
    { role: "user", content: "weather" },
    { role: "assistant", content: "", tool_calls: [{ id: "c1", function: { name: "get_weather", arguments: { city: "Rome" } } }] },
    { role: "tool", content: "rainy", tool_call_id: "c1", tool_name: "get_weather" },
  ]);
});

test("responses: a streamed function call accumulates in the SDK's final response", async () => {
  const tools: OpenAI.Responses.FunctionTool[] = [{ type: "function", name: "get_weather", parameters: { type: "object" }, strict: false }];
  const final = await client.responses.stream({ model: "m", tools, input: "weather" }).finalResponse();
  const call = final.output[0];
  assert.ok(call.type === "function_call");
  assert.equal(call.call_id, "call_abcd1234");
  assert.deepEqual(JSON.parse(call.arguments), { city: "Paris" });
  assert.equal(final.status, "completed");
});
