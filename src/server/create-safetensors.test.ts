// `/api/create` from a Hugging Face directory uploaded as blobs (as `herd create` and Ollama's client
// upload it): converted in the server, an ordinary model afterwards; bad checkpoints leave nothing behind.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Hono } from "hono";
import { readGguf } from "../gguf/index.js";
import { model } from "../testing/fixtures.js";
import { fileDigest, post, testApp } from "./testing.js";

const HF = model("stories260K-hf");

/** Uploads each file (or the given bytes under that name) and returns the `files` map. */
async function upload(app: Hono, files: Record<string, string | Buffer>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, src] of Object.entries(files)) {
    const bytes = typeof src === "string" ? fileDigest(src).bytes : src;
    const { createHash } = await import("node:crypto");
    const digest = "sha256:" + createHash("sha256").update(bytes).digest("hex");
    const r = await app.request(`/api/blobs/${digest}`, { method: "POST", body: new Uint8Array(bytes) });
    assert.ok(r.status === 201 || r.status === 200);
    out[name] = digest;
  }
  return out;
}

const hfFiles = (): Record<string, string | Buffer> => Object.fromEntries(readdirSync(HF).map((f) => [f, join(HF, f)]));

async function lines(r: Response): Promise<Record<string, unknown>[]> {
  return (await r.text()).trim().split("\n").map((l) => JSON.parse(l));
}

test("create from an uploaded safetensors directory: converted, shown, template autodetected", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  const chatml = (await readGguf(model("stories260K-chatml.gguf"))).metadata["tokenizer.chat_template"] as string;
  const tc = JSON.parse(readFileSync(join(HF, "tokenizer_config.json"), "utf8"));
  const files = await upload(app, { ...hfFiles(), "tokenizer_config.json": Buffer.from(JSON.stringify({ ...tc, chat_template: chatml })) });

  const r = await post(app, "/api/create", { model: "tiny-hf", files });
  assert.equal(r.status, 200);
  const progress = await lines(r);
  const statuses = progress.map((p) => p.status);
  assert.equal(statuses[0], "converting model");
  // A byte bar over the checkpoint's tensor data (1 040 128 bytes), ending full.
  const bar = progress.filter((p) => p.status === "converting model" && p.total);
  assert.deepEqual(bar.at(-1), { status: "converting model", digest: "0000000000000000000", total: 1040128, completed: 1040128 });
  assert.ok(statuses.some((s) => /^creating new layer sha256:[0-9a-f]{64}$/.test(String(s))));
  assert.ok(statuses.includes("using autodetected template chatml"), statuses.join("\n"));
  assert.deepEqual(statuses.slice(-2), ["writing manifest", "success"]);

  const show = await (await post(app, "/api/show", { model: "tiny-hf" })).json();
  assert.equal(show.details.format, "gguf");
  assert.equal(show.details.family, "llama");
  assert.equal(show.details.quantization_level, "F16");
  assert.equal(show.model_info["llama.context_length"], 512);
  assert.equal(show.tensors.length, 47);
  assert.match(show.template, /<\|im_start\|>/);
  assert.deepEqual(show.capabilities, ["completion"]);

  // F32 on request: the converted blob holds stories260K's own tensors.
  const f32 = await post(app, "/api/create", { model: "tiny-hf32", files, quantize: "f32", stream: false });
  assert.deepEqual(await f32.json(), { status: "success" });
  const s32 = await (await post(app, "/api/show", { model: "tiny-hf32" })).json();
  assert.equal(s32.details.quantization_level, "F32");
  assert.ok(existsSync(store.blobs.dir));
});

test("bad checkpoints: a 400 with the reason, no manifest, no new blob", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  const cfg = JSON.parse(readFileSync(join(HF, "config.json"), "utf8"));
  const st = readFileSync(join(HF, "model.safetensors"));
  const cases: [Record<string, string | Buffer>, string | RegExp][] = [
    [{ ...hfFiles(), "config.json": Buffer.from(JSON.stringify({ ...cfg, architectures: ["FalconForCausalLM"] })) }, 'unsupported architecture "FalconForCausalLM"'],
    [Object.fromEntries(Object.entries(hfFiles()).filter(([k]) => k !== "tokenizer.model")), /no tokenizer found/],
    [{ ...hfFiles(), "model.safetensors": st.subarray(0, 600_000) }, /^model\.safetensors: truncated safetensors file/],
    [{ ...hfFiles(), "model.safetensors.index.json": Buffer.from(JSON.stringify({ weight_map: { x: "model-00002-of-00002.safetensors" } })) }, /shard model-00002-of-00002\.safetensors listed in model\.safetensors\.index\.json is missing/],
  ];
  for (const [files, message] of cases) {
    const uploaded = await upload(app, files);
    const before = readdirSync(store.blobs.dir).sort();
    const r = await post(app, "/api/create", { model: "bad", files: uploaded });
    assert.equal(r.status, 400);
    const { error } = await r.json();
    if (typeof message === "string") assert.equal(error, message);
    else assert.match(error, message);
    assert.deepEqual(readdirSync(store.blobs.dir).sort(), before, "no blob left behind");
  }
  assert.equal(existsSync(join(store.root, "manifests")), false);

  const q = await post(app, "/api/create", { model: "bad", files: await upload(app, hfFiles()), quantize: "q5_0" });
  assert.equal(q.status, 400);
  assert.deepEqual(await q.json(), { error: "unsupported quantization type q5_0 - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0" });
});
