// Images end to end on a real `herd serve`: a vision model created from uploaded files (a synthetic gemma3
// text model + the real tinygemma3 projector), every API's image form, bad images, and `herd run` with an
// image path. Skipped, with the reason, when libmtmd was not built at install.

import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import test from "node:test";
import OpenAI from "openai";
import { mtmdLibrary } from "../../src/runner/native/mtmd-path.js";
import { model } from "../../src/testing/fixtures.js";
import { pngWith, solidPng } from "../../src/testing/png.js";
import { syntheticGemma3 } from "../../src/testing/synthetic-gemma3.js";
import { runCli, startServer } from "./harness.js";

const lib = mtmdLibrary();
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

test("vision through every API and herd run", { skip: lib.path ? false : lib.reason }, async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const api = async (path: string, body: unknown) => {
    const r = await fetch(`${srv.url}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    return { status: r.status, json: (await r.json()) as Record<string, any> };
  };
  const upload = async (file: string) => {
    const bytes = readFileSync(file);
    const digest = "sha256:" + createHash("sha256").update(bytes).digest("hex");
    const up = await fetch(`${srv.url}/api/blobs/${digest}`, { method: "POST", body: bytes });
    assert.ok(up.status === 201 || up.status === 200);
    return digest;
  };
  const weights = await upload(await syntheticGemma3());
  const projector = await upload(model("mmproj-tinygemma3.gguf"));
  const template = "{{ range .Messages }}<{{ .Role }}>{{ .Content }}\n{{ end }}<assistant>";
  // The clip GGUF becomes the projector layer whether it comes among the files or as the adapter.
  assert.equal((await api("/api/create", { model: "seer", files: { "model.gguf": weights, "mmproj.gguf": projector }, template, parameters: { num_predict: 3 }, stream: false })).status, 200);
  assert.equal((await api("/api/create", { model: "seer2", files: { "model.gguf": weights }, adapters: { "mmproj.gguf": projector }, template, stream: false })).status, 200);
  assert.equal((await api("/api/create", { model: "blind", files: { "model.gguf": weights }, template, stream: false })).status, 200);

  const show = await api("/api/show", { model: "seer2" });
  assert.ok(show.json.capabilities.includes("vision"), JSON.stringify(show.json.capabilities));
  assert.ok(show.json.projector_info, "show reports the projector");
  const tags = (await (await fetch(`${srv.url}/api/tags`)).json()) as { models: { name: string; capabilities?: string[] }[] };
  assert.ok(tags.models.find((m) => m.name === "seer:latest")?.capabilities?.includes("vision"));
  assert.ok(!tags.models.find((m) => m.name === "blind:latest")?.capabilities?.includes("vision"));

  const red = solidPng(32, [255, 0, 0]);
  const opts = { temperature: 0, num_predict: 3 };
  const gen = await api("/api/generate", { model: "seer", prompt: "what is it?", images: [b64(red)], stream: false, options: opts });
  assert.equal(gen.status, 200, JSON.stringify(gen.json));
  assert.ok(gen.json.prompt_eval_count >= 256, `prompt_eval_count ${gen.json.prompt_eval_count}`);
  const chat = await api("/api/chat", { model: "seer", messages: [{ role: "user", content: "what is it?", images: [b64(red)] }], stream: false, options: opts });
  assert.equal(chat.status, 200);
  assert.equal(chat.json.message.content, gen.json.response, "generate and chat render the same one-turn prompt");

  const openai = new OpenAI({ baseURL: `${srv.url}/v1`, apiKey: "herd" });
  const oa = await openai.chat.completions.create({
    model: "seer",
    temperature: 0,
    max_tokens: 3,
    messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${b64(red)}` } }, { type: "text", text: "what is it?" }] }],
  });
  assert.ok(oa.usage!.prompt_tokens >= 256);
  await assert.rejects(
    openai.chat.completions.create({ model: "seer", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }] }),
    (err: any) => err.status === 400 && /image URLs are not currently supported/.test(err.message),
  );
  const resp = await openai.responses.create({
    model: "seer",
    max_output_tokens: 3,
    input: [{ role: "user", content: [{ type: "input_image", image_url: `data:image/png;base64,${b64(red)}`, detail: "auto" }, { type: "input_text", text: "what?" }] }],
  });
  assert.ok(resp.usage!.input_tokens >= 256);

  const anthropic = new Anthropic({ baseURL: srv.url, apiKey: "herd" });
  const msg = await anthropic.messages.create({
    model: "seer",
    max_tokens: 3,
    messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: b64(red) } }, { type: "text", text: "what?" }] }],
  });
  assert.ok(msg.usage.input_tokens >= 256);

  // Bad images: each a 400 with a message, and the model stays loaded and serving.
  const loaded = async () => ((await (await fetch(`${srv.url}/api/ps`)).json()) as { models: { name: string }[] }).models.map((m) => m.name);
  const before = await loaded();
  for (const bad of ["", "%%%", b64(new TextEncoder().encode("not an image")), b64(red.subarray(0, 40)), b64(pngWith(20000, 20000, new Uint8Array([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])))]) {
    const r = await api("/api/generate", { model: "seer", prompt: "x", images: [bad], stream: false });
    assert.equal(r.status, 400, `${JSON.stringify(r.json)} for ${bad.slice(0, 20)}`);
    assert.ok(typeof r.json.error === "string" && r.json.error.length > 0);
  }
  const many = await api("/api/generate", { model: "seer", prompt: "x", images: Array.from({ length: 50 }, () => b64(red)), stream: false });
  assert.equal(many.status, 400, JSON.stringify(many.json));
  assert.match(many.json.error, /longer than the context length/);
  assert.deepEqual(await loaded(), before);
  assert.equal((await api("/api/generate", { model: "seer", prompt: "again", images: [b64(red)], stream: false, options: opts })).status, 200);

  const blind = await api("/api/generate", { model: "blind", prompt: "x", images: [b64(red)], stream: false });
  assert.deepEqual([blind.status, blind.json.error], [400, "this model is missing data required for image input"]);

  // herd run: a path in the prompt is attached (and removed from the text), as Ollama's CLI does.
  const img = join(srv.home, "red dot.png");
  writeFileSync(img, red);
  const run = await runCli(["run", "seer", `what is in ${img.replace(/ /g, "\\ ")} ?`, "--verbose"], { env: srv.env, timeoutMs: 20_000 });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`Added image '${img.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}'`));
  const count = Number(/prompt eval count:\s+(\d+)/.exec(run.stderr)?.[1]);
  assert.ok(count >= 256, run.stderr);
});
