// A monolithic gemma3 as Ollama publishes it (vision tower inside the weights, no projector layer), created
// through a real `herd serve` and sent images: the translator derives the projector at load, mtmd runs it.
// Skipped, with the reason, when libmtmd was not built at install.

import assert from "node:assert/strict";
import test from "node:test";
import { mtmdLibrary } from "../../src/runner/native/mtmd-path.js";
import { makePng, solidPng } from "../../src/testing/png.js";
import { publishedGemma3Vision } from "../../src/translate/testing.js";
import { createModel, startServer } from "./harness.js";

const lib = mtmdLibrary();
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

test("a published monolithic gemma3 answers images through its own vision tower", { skip: lib.path ? false : lib.reason }, async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const api = async (path: string, body: unknown) => {
    const r = await fetch(`${srv.url}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    return { status: r.status, json: (await r.json()) as Record<string, any> };
  };
  const template = "{{ range .Messages }}<{{ .Role }}>{{ .Content }}\n{{ end }}<assistant>";
  await createModel(srv.url, "mono", await publishedGemma3Vision(), { template });

  const show = await api("/api/show", { model: "mono" });
  assert.equal(show.status, 200);
  assert.ok(show.json.capabilities.includes("vision"), JSON.stringify(show.json.capabilities));

  const opts = { temperature: 0, num_predict: 8, seed: 1 };
  const chat = (png: Uint8Array) => api("/api/chat", { model: "mono", messages: [{ role: "user", content: "what is it?", images: [b64(png)] }], stream: false, options: opts, logprobs: true });
  const text = await api("/api/chat", { model: "mono", messages: [{ role: "user", content: "what is it?" }], stream: false, options: opts });
  assert.equal(text.status, 200, JSON.stringify(text.json));

  const red = await chat(solidPng(32, [255, 0, 0]));
  assert.equal(red.status, 200, JSON.stringify(red.json));
  assert.equal(red.json.done, true);
  assert.ok(red.json.eval_count > 0 && red.json.message.content.length > 0, JSON.stringify(red.json));
  // tinygemma3's projector gives 256 tokens per image, on top of the text prompt's.
  assert.ok(red.json.prompt_eval_count >= text.json.prompt_eval_count + 256, `${red.json.prompt_eval_count} vs text ${text.json.prompt_eval_count}`);

  // The answer with its token log-probabilities: the random tiny model may pick the same greedy tokens
  // for two images, but what it predicts must depend on the image.
  // What the model predicts, compared with a tolerance: a prompt-cache hit may change the last float bits.
  const logprobs = (r: { json: Record<string, any> }) => (r.json.logprobs as { logprob: number }[]).map((l) => l.logprob);
  const gap = (x: typeof red, y: typeof red) => Math.max(...logprobs(x).map((v, i) => Math.abs(v - (logprobs(y)[i] ?? Infinity))));
  assert.equal(logprobs(red).length, red.json.eval_count, JSON.stringify(red.json));
  const again = await chat(solidPng(32, [255, 0, 0]));
  assert.equal(again.json.message.content, red.json.message.content, "the same image gives the same answer");
  assert.ok(gap(again, red) < 1e-5, `same image, log-probabilities apart by ${gap(again, red)}`);
  const other = await chat(makePng(32, 32, (x, y) => [x * 8, y * 8, (x ^ y) & 1 ? 255 : 0]));
  assert.equal(other.status, 200, JSON.stringify(other.json));
  assert.ok(other.json.message.content !== red.json.message.content || gap(other, red) > 1e-3, "a different image gives a different answer");

  // Loaded for vision: at least 2048 tokens of context (Ollama's vision minimum).
  const ps = (await (await fetch(`${srv.url}/api/ps`)).json()) as { models: { name: string; context_length?: number }[] };
  const loaded = ps.models.find((m) => m.name === "mono:latest");
  assert.ok(loaded && (loaded.context_length ?? 0) >= 2048, JSON.stringify(ps));
});
