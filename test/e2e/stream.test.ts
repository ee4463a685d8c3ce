// Ollama writes one NDJSON line (OpenAI, Anthropic: one SSE event) per token; herd's runner hands tokens
// over in batches, and the edge still writes a line per token. Counted on the wire, on the real engine.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import test from "node:test";
import { model } from "../../src/testing/fixtures.js";
import { startServer } from "./harness.js";

// Greedy with Ollama's default repeat penalty (1.1): the first words of stories260K's story.
const GREEDY_START = ", there was a little girl named Lily. She loved to play";

async function post(url: string, body: unknown): Promise<string> {
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  assert.equal(r.status, 200);
  return r.text();
}

/** The JSON payloads of an SSE body, with their event names. */
function sseEvents(body: string): { event?: string; data: any }[] {
  return body
    .split("\n\n")
    .filter((b) => b.trim())
    .map((b) => {
      const event = /^event: (.*)$/m.exec(b)?.[1];
      const data = /^data: (.*)$/m.exec(b)![1];
      return { event, data: data === "[DONE]" ? data : JSON.parse(data) };
    });
}

test("a 24-token answer arrives as one line / event per token", async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  for (const [name, file] of [["stories", "stories260K.gguf"], ["chat", "stories260K-chatml.gguf"]]) {
    const bytes = readFileSync(model(file));
    const digest = "sha256:" + createHash("sha256").update(bytes).digest("hex");
    await fetch(`${srv.url}/api/blobs/${digest}`, { method: "POST", body: bytes });
    await post(`${srv.url}/api/create`, { model: name, files: { "model.gguf": digest }, stream: false });
  }
  const options = { temperature: 0, num_predict: 24, num_ctx: 1024 };

  await t.test("/api/generate: 24 NDJSON lines, one token each, then done", async () => {
    const lines = (await post(`${srv.url}/api/generate`, { model: "stories", prompt: "Once upon a time", raw: true, options }))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const tokens = lines.filter((l) => !l.done);
    assert.equal(tokens.length, 24);
    assert.ok(tokens.every((l) => l.response !== ""));
    assert.ok(tokens.map((l) => l.response).join("").startsWith(GREEDY_START));
    assert.equal(lines.at(-1).eval_count, 24);
  });

  await t.test("/api/generate with logprobs: one logprob on each line", async () => {
    const lines = (await post(`${srv.url}/api/generate`, { model: "stories", prompt: "Once upon a time", raw: true, logprobs: true, options }))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const tokens = lines.filter((l) => !l.done);
    assert.equal(tokens.length, 24);
    for (const l of tokens) assert.deepEqual(l.logprobs.map((p: { token: string }) => p.token), [l.response]);
  });

  await t.test("/api/chat: one line per token", async () => {
    const body = await post(`${srv.url}/api/chat`, { model: "chat", messages: [{ role: "user", content: "Tell me a story." }], options });
    const lines = body.trim().split("\n").map((l) => JSON.parse(l));
    const tokens = lines.filter((l) => !l.done && l.message.content !== "");
    const final = lines.at(-1);
    // A token may be held back (a possible stop string, an incomplete UTF-8 character) and arrive with the next.
    assert.ok(tokens.length >= 20 && tokens.length <= final.eval_count, `${tokens.length} lines for ${final.eval_count} tokens`);
  });

  await t.test("OpenAI chat completions: one SSE event per token", async () => {
    const body = await post(`${srv.url}/v1/chat/completions`, {
      model: "chat",
      messages: [{ role: "user", content: "Tell me a story." }],
      max_tokens: 24,
      temperature: 0,
      stream: true,
    });
    const deltas = sseEvents(body).filter((e) => e.data !== "[DONE]" && e.data.choices[0]?.delta?.content);
    assert.ok(deltas.length >= 20 && deltas.length <= 24, `${deltas.length} events`);
  });

  await t.test("Anthropic messages: one content_block_delta per token", async () => {
    const body = await post(`${srv.url}/v1/messages`, {
      model: "chat",
      messages: [{ role: "user", content: "Tell me a story." }],
      max_tokens: 24,
      temperature: 0,
      stream: true,
    });
    const deltas = sseEvents(body).filter((e) => e.event === "content_block_delta");
    assert.ok(deltas.length >= 20 && deltas.length <= 24, `${deltas.length} events`);
  });

  await t.test("OpenAI completions: one SSE event per token", async () => {
    const body = await post(`${srv.url}/v1/completions`, { model: "stories", prompt: "Once upon a time", max_tokens: 24, temperature: 0, stream: true });
    const deltas = sseEvents(body).filter((e) => e.data !== "[DONE]" && e.data.choices[0]?.text);
    assert.equal(deltas.length, 24);
    assert.ok(deltas.map((e) => e.data.choices[0].text).join("").startsWith(GREEDY_START));
  });
});
