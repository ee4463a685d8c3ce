import assert from "node:assert/strict";
import { test } from "node:test";
import type { GenerateResponse } from "../../../api/types.js";
import { BadRequestError } from "../../../util/errors.js";
import { CompletionChunkTranslator, translateCompletionRequest } from "./completions.js";
import { floatsToBase64, toEmbeddingList, translateEmbeddingsRequest } from "./embeddings.js";
import { ownerOf, toModelList } from "./models.js";
import { translateResponsesRequest } from "./responses-request.js";
import { openaiErrorBody } from "./errors.js";

const isBad = (message: string) => (e: unknown) => e instanceof BadRequestError && e.message === message;

test("completions request: prompt, suffix, defaults, logprobs", () => {
  const { request } = translateCompletionRequest({ model: "m", prompt: "def f(", suffix: "return x", max_tokens: 9, logprobs: 2 });
  assert.deepEqual(request, {
    model: "m",
    prompt: "def f(",
    stream: false,
    options: { num_predict: 9, temperature: 1, top_p: 1, frequency_penalty: 0, presence_penalty: 0 },
    suffix: "return x",
    logprobs: true,
    top_logprobs: 2,
  });
  assert.throws(() => translateCompletionRequest({ model: "m", prompt: ["a"] }), BadRequestError);
});

test("completion chunks: usage zeroed on every chunk, real usage on a final choices:[] chunk", () => {
  const t = new CompletionChunkTranslator("cmpl-1", true);
  const chunk = (response: string, done = false): GenerateResponse => ({
    model: "m",
    created_at: "2026-08-21T10:00:00Z",
    response,
    done,
    ...(done ? { done_reason: "stop" as const, prompt_eval_count: 2, eval_count: 1 } : {}),
  });
  const out = [...t.translate(chunk("a")), ...t.translate(chunk("", true))];
  assert.deepEqual(
    out.map((c) => [c.choices.map((x) => [x.text, x.finish_reason]), c.usage]),
    [
      [[["a", null]], { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }],
      [[["", "stop"]], { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }],
      [[], { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 }],
    ],
  );
});

test("embeddings request validation (table)", () => {
  assert.deepEqual(translateEmbeddingsRequest({ model: "m", input: "" }).request.input, [""]);
  assert.throws(() => translateEmbeddingsRequest({ model: "m", input: [] }), isBad("invalid input"));
  assert.throws(() => translateEmbeddingsRequest({ model: "m" }), isBad("invalid input"));
  assert.throws(() => translateEmbeddingsRequest({ model: "m", input: [[1, 2]] }), isBad("invalid input"));
  assert.throws(
    () => translateEmbeddingsRequest({ model: "m", input: "a", encoding_format: "int8" }),
    isBad("Invalid value for 'encoding_format' = int8. Supported values: ['float', 'base64']."),
  );
});

test("base64 embeddings are little-endian float32", () => {
  const b64 = floatsToBase64([1, -2.5]);
  assert.deepEqual([...Buffer.from(b64, "base64")], [0, 0, 0x80, 0x3f, 0, 0, 0x20, 0xc0]);
  const list = toEmbeddingList({ model: "m", embeddings: [[1, -2.5]], prompt_eval_count: 3 }, "base64");
  assert.deepEqual(list, { object: "list", data: [{ object: "embedding", embedding: b64, index: 0 }], model: "m", usage: { prompt_tokens: 3, total_tokens: 3 } });
});

test("models: owner is the namespace; empty list has data null", () => {
  assert.equal(ownerOf("llama3.2:latest"), "library");
  assert.equal(ownerOf("user/model:tag"), "user");
  assert.equal(ownerOf("hf.co/bartowski/Llama-GGUF:Q4_K_M"), "bartowski");
  assert.deepEqual(toModelList({ models: [] }), { object: "list", data: null });
});

test("responses request → native request (table)", () => {
  const t = translateResponsesRequest({
    model: "m",
    instructions: "sys",
    input: [
      { type: "message", role: "developer", content: [{ type: "input_text", text: "dev" }] },
      { role: "user", content: [{ type: "input_text", text: "look" }, { type: "input_image", image_url: "data:image/png;base64,AAAA" }] },
      { type: "reasoning", summary: [{ type: "summary_text", text: "thought" }] },
      { type: "function_call", call_id: "c1", name: "f", arguments: '{"a":1}' },
      { type: "function_call", call_id: "c2", name: "g", arguments: "{}" },
      { type: "function_call_output", call_id: "c2", output: [{ type: "input_text", text: "ok" }] },
    ],
    max_output_tokens: 30,
    reasoning: { effort: "low" },
    text: { format: { type: "json_schema", name: "s", schema: { type: "object" } } },
    tools: [{ type: "function", name: "f", description: "d", parameters: { type: "object" } }],
  });
  assert.deepEqual(t.request, {
    model: "m",
    messages: [
      { role: "system", content: "sys" },
      { role: "system", content: "dev" },
      { role: "user", content: "look", images: ["AAAA"] },
      {
        role: "assistant",
        content: "",
        thinking: "thought",
        tool_calls: [
          { id: "c1", function: { name: "f", arguments: { a: 1 } } },
          { id: "c2", function: { name: "g", arguments: {} } },
        ],
      },
      { role: "tool", content: "ok", tool_call_id: "c2", tool_name: "g" },
    ],
    stream: false,
    options: { temperature: 1, num_predict: 30 },
    think: "low",
    format: { type: "object" },
    tools: [{ type: "function", function: { name: "f", description: "d", parameters: { type: "object" } } }],
  });
  assert.throws(
    () => translateResponsesRequest({ model: "m", input: [{ role: "user", content: [{ type: "input_file", file_id: "f" }] }] }),
    isBad("file inputs are not currently supported"),
  );
});

test("OpenAI error types by status", () => {
  assert.deepEqual(openaiErrorBody("x", 400), { error: { message: "x", type: "invalid_request_error", param: null, code: null } });
  assert.equal(openaiErrorBody("x", 404).error.type, "not_found_error");
  assert.equal(openaiErrorBody("x", 503).error.type, "api_error");
});
