// The OpenAI and Anthropic SDKs, and the ollama client, against a real `herd serve` and the real engine.

import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";
import test from "node:test";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { model } from "../../src/testing/fixtures.js";
import { startServer } from "./harness.js";

const TOOLS_TEMPLATE = `{{- if .Tools }}Tools: {{ range .Tools }}{{ .Function.Name }} {{ end }}
{{ end }}{{ range .Messages }}{{ .Role }}: {{ .Content }}
{{ end }}assistant:`;

test("OpenAI, Anthropic and Ollama clients on the real engine", async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const ollama = new Ollama({ host: srv.url });
  // Models are created from files uploaded through the API, as a client would.
  const { readFileSync } = await import("node:fs");
  const { createHash } = await import("node:crypto");
  for (const [name, file] of [["chat", "stories260K-chatml.gguf"], ["embed", "synthetic/bert-embed-synthetic.gguf"]]) {
    const bytes = readFileSync(model(file));
    const digest = "sha256:" + createHash("sha256").update(bytes).digest("hex");
    const up = await fetch(`${srv.url}/api/blobs/${digest}`, { method: "POST", body: bytes });
    assert.ok(up.status === 201 || up.status === 200);
    // ollama-js 0.6 does not type `files` yet; the server accepts it as Ollama does.
    await ollama.create({ model: name, files: { "model.gguf": digest }, parameters: { num_ctx: 1024 } } as Parameters<typeof ollama.create>[0]);
  }
  await ollama.create({ model: "tooly", from: "chat", template: TOOLS_TEMPLATE });

  const openai = new OpenAI({ baseURL: `${srv.url}/v1`, apiKey: "herd" });
  const messages = [{ role: "user" as const, content: "Tell me a story." }];

  // Non-streamed: usage equals the engine's own counts for the same request.
  const done = await openai.chat.completions.create({ model: "chat", messages, max_tokens: 16, temperature: 0, seed: 1 });
  assert.match(done.id, /^chatcmpl-\d+$/);
  assert.equal(done.system_fingerprint, "fp_ollama");
  const native = await ollama.chat({ model: "chat", messages, options: { num_predict: 16, temperature: 0, seed: 1, top_p: 1 } });
  assert.equal(done.usage!.prompt_tokens, native.prompt_eval_count);
  assert.equal(done.usage!.completion_tokens, native.eval_count);
  assert.equal(done.choices[0].message.content, native.message.content);

  // Streamed equals non-streamed (greedy), with a usage chunk at the end.
  const stream = await openai.chat.completions.create({ model: "chat", messages, max_tokens: 16, temperature: 0, seed: 1, stream: true, stream_options: { include_usage: true } });
  let text = "";
  let usage: OpenAI.CompletionUsage | undefined;
  let finish: string | null = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    finish = chunk.choices[0]?.finish_reason ?? finish;
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, done.choices[0].message.content);
  assert.equal(finish, "length");
  assert.equal(usage!.completion_tokens, 16);

  // JSON schema output parses and validates.
  const schema = { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } }, required: ["name", "age"] };
  const js = await openai.chat.completions.create({
    model: "chat",
    messages,
    max_tokens: 60,
    temperature: 0,
    response_format: { type: "json_schema", json_schema: { name: "person", schema } },
  });
  const parsed = JSON.parse(js.choices[0].message.content!);
  assert.equal(typeof parsed.name, "string");
  assert.ok(Number.isInteger(parsed.age));

  // The range is enforced (node-llama-cpp's own converter dropped it and gave -30), and a schema the
  // grammar cannot enforce is a 400 on both dialects before any generation.
  const ranged = { type: "object", properties: { age: { type: "integer", minimum: 2, maximum: 9 } }, required: ["age"], additionalProperties: false };
  for (const seed of [1, 2, 3]) {
    const r = await openai.chat.completions.create({ model: "chat", messages, max_tokens: 40, temperature: 1.5, seed, response_format: { type: "json_schema", json_schema: { name: "age", schema: ranged } } });
    const { age } = JSON.parse(r.choices[0].message.content!);
    assert.ok(age >= 2 && age <= 9, r.choices[0].message.content!);
  }
  const unenforceable = { type: "array", items: { type: "string" }, uniqueItems: true };
  await assert.rejects(
    openai.chat.completions.create({ model: "chat", messages, response_format: { type: "json_schema", json_schema: { name: "u", schema: unenforceable } } }),
    (e: unknown) => e instanceof OpenAI.BadRequestError && /uniqueItems/.test(e.message),
  );
  const native400 = await fetch(`${srv.url}/api/chat`, { method: "POST", body: JSON.stringify({ model: "chat", messages, format: unenforceable }) });
  assert.equal(native400.status, 400);
  assert.deepEqual(await native400.json(), { error: 'invalid JSON schema in format: keyword "uniqueItems" is not supported' });

  // Tool definitions reach the template (checked through the render-only debug path).
  const debug = await fetch(`${srv.url}/api/chat`, {
    method: "POST",
    body: JSON.stringify({ model: "tooly", messages, tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }], _debug_render_only: true }),
  }).then((r) => r.json());
  assert.match(debug._debug_info.rendered_template, /^Tools: get_weather \nuser: Tell me a story\.\nassistant:$/);

  // Embeddings: float and base64 agree, vectors are normalized.
  const emb = await openai.embeddings.create({ model: "embed", input: ["hello world", "goodbye"] });
  assert.equal(emb.data.length, 2);
  const v = emb.data[0].embedding;
  assert.equal(v.length, 128);
  assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-4);
  const b64 = await openai.embeddings.create({ model: "embed", input: "hello world", encoding_format: "base64" });
  // Asked for explicitly, base64 comes back as sent: little-endian float32.
  const raw = Buffer.from(b64.data[0].embedding as unknown as string, "base64");
  const decoded = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  assert.equal(decoded.length, 128);
  assert.ok(Math.abs(decoded[0] - v[0]) < 1e-6);

  // Models list and errors in OpenAI's shape.
  const ids = [];
  for await (const m of openai.models.list()) ids.push(m.id);
  assert.ok(ids.includes("chat:latest"));
  await assert.rejects(openai.chat.completions.create({ model: "missing", messages }), (e: unknown) => e instanceof OpenAI.NotFoundError);

  // Anthropic: non-streamed and streamed.
  const anthropic = new Anthropic({ baseURL: srv.url, apiKey: "herd" });
  const msg = await anthropic.messages.create({ model: "chat", max_tokens: 16, messages });
  assert.equal(msg.type, "message");
  assert.equal(msg.stop_reason, "max_tokens");
  assert.equal(msg.usage.output_tokens, 16);
  assert.equal(msg.usage.input_tokens, native.prompt_eval_count);
  const s = anthropic.messages.stream({ model: "chat", max_tokens: 8, messages });
  const events: string[] = [];
  for await (const e of s) events.push(e.type);
  const final = await s.finalMessage();
  assert.equal(final.usage.output_tokens, 8);
  assert.deepEqual([events[0], events[events.length - 1]], ["message_start", "message_stop"]);
  assert.ok(events.includes("content_block_delta"));
  const count = await anthropic.messages.countTokens({ model: "chat", messages });
  assert.equal(count.input_tokens, native.prompt_eval_count);
  await assert.rejects(anthropic.messages.create({ model: "missing", max_tokens: 8, messages }), (e: unknown) => e instanceof Anthropic.NotFoundError);
});
