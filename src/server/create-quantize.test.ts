// `quantize` in /api/create through llama.cpp's llama_model_quantize (ollama-spec §7.4).

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Hono } from "hono";
import { readGguf, tensorByteSize } from "../gguf/index.js";
import { collect } from "../runner/testing/contract.js";
import { createEngineRunner } from "../runner/index.js";
import { model } from "../testing/fixtures.js";
import { post, testApp } from "./testing.js";

async function upload(app: Hono, path: string): Promise<string> {
  const bytes = readFileSync(path);
  const digest = "sha256:" + createHash("sha256").update(bytes).digest("hex");
  await app.request(`/api/blobs/${digest}`, { method: "POST", body: new Uint8Array(bytes) });
  return digest;
}

async function lines(r: Response): Promise<Record<string, unknown>[]> {
  return (await r.text()).trim().split("\n").map((l) => JSON.parse(l));
}

function tensorBytes(path: string, g: Awaited<ReturnType<typeof readGguf>>, name: string): Buffer {
  const t = g.tensors.find((x) => x.name === name)!;
  const start = g.dataOffset + Number(t.offset);
  return readFileSync(path).subarray(start, start + tensorByteSize(t.type, t.dims)!);
}

test("quantize stories260K to Q8_0: llama.cpp's blocks, the same greedy text as F32", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  const files = { "model.gguf": await upload(app, model("stories260K.gguf")) };
  const r = await post(app, "/api/create", { model: "s8", files, quantize: "q8_0" });
  assert.equal(r.status, 200);
  const progress = await lines(r);
  const bar = progress.filter((p) => p.status === "quantizing F32 model to Q8_0");
  assert.ok(bar.length >= 2, JSON.stringify(progress));
  assert.equal(bar.at(-1)!.completed, bar.at(-1)!.total);
  assert.equal(progress.at(-1)!.status, "success");

  const show = await (await post(app, "/api/show", { model: "s8" })).json();
  assert.equal(show.details.quantization_level, "Q8_0");
  const manifest = JSON.parse(readFileSync(join(store.root, "manifests/registry.ollama.ai/library/s8/latest"), "utf8"));
  const path = store.blobs.path(manifest.layers.find((l: { mediaType: string }) => l.mediaType.endsWith(".model")).digest);

  // Against the hand-made stories260K-Q8_0.gguf: every tensor has the same type (Q8_0; F16 for ffn_down,
  // whose 172-wide rows are not a multiple of Q8_0's 32-element block, which llama.cpp's fallback also
  // picks; F32 norms) and the same bytes (both round x/d with d = max|x|/127 stored as F16). The files
  // themselves differ only in layout: llama.cpp writes general.quantization_version before general.file_type
  // and orders the tensors as its loader lists them (output.weight first), so offsets differ.
  const ref = model("stories260K-Q8_0.gguf");
  const [a, b] = await Promise.all([readGguf(path), readGguf(ref)]);
  assert.equal(a.metadata["general.file_type"], 7);
  assert.deepEqual(a.tensors.map((x) => x.name).sort(), b.tensors.map((x) => x.name).sort());
  for (const x of a.tensors) {
    const y = b.tensors.find((u) => u.name === x.name)!;
    assert.equal(x.type, y.type, x.name);
    assert.ok(tensorBytes(path, a, x.name).equals(tensorBytes(ref, b, x.name)), `${x.name} bytes`);
  }

  const req = { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 24 } };
  const runners = await Promise.all([model("stories260K.gguf"), path].map((p) => createEngineRunner({ modelPath: p, numCtx: 128, numGpu: 0, numThread: 1 })));
  try {
    const [f32, q8] = await Promise.all(runners.map(async (x) => (await collect(x, req)).text));
    assert.equal(q8, f32);
  } finally {
    await Promise.all(runners.map((x) => x.close()));
  }
});

test("safetensors → Q4_K_M: converted, quantized, the F16 intermediate not kept", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  const HF = model("stories260K-hf");
  const files: Record<string, string> = {};
  for (const f of readdirSync(HF)) files[f] = await upload(app, join(HF, f));
  const r = await post(app, "/api/create", { model: "s4", files, quantize: "Q4_K" });
  const statuses = (await lines(r)).map((p) => p.status);
  assert.ok(statuses.includes("converting model"));
  assert.ok(statuses.includes("quantizing F16 model to Q4_K_M"), statuses.join("\n"));
  assert.equal(statuses.at(-1), "success");
  const show = await (await post(app, "/api/show", { model: "s4" })).json();
  assert.equal(show.details.quantization_level, "Q4_K_M");
  for (const f of readdirSync(store.blobs.dir)) {
    const head = readFileSync(join(store.blobs.dir, f)).subarray(0, 4).toString("latin1");
    if (head === "GGUF") assert.notEqual((await readGguf(join(store.blobs.dir, f))).metadata["general.file_type"], 1, `${f} is the F16 intermediate`);
  }
});

test("quantize refuses unknown types and non-float sources with a 400, storing nothing", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  const q8 = { "model.gguf": await upload(app, model("stories260K-Q8_0.gguf")) };
  const before = readdirSync(store.blobs.dir).sort();
  let r = await post(app, "/api/create", { model: "x", files: q8, quantize: "q4_K_M" });
  assert.deepEqual([r.status, await r.json()], [400, { error: "quantization is only supported for F16, BF16 and F32 models" }]);
  r = await post(app, "/api/create", { model: "x", files: q8, quantize: "IQ2_XXS" });
  assert.deepEqual([r.status, await r.json()], [400, { error: "unsupported quantization type IQ2_XXS - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0" }]);
  assert.deepEqual(readdirSync(store.blobs.dir).sort(), before);
});

test("a client that disconnects mid-quantization stops it: no manifest, no partial blob", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  // stories260K's header with 24 wide F32 tensors: long enough to quantize that the disconnect lands midway.
  const { typedMetadata, writeGguf } = await import("../gguf/index.js");
  const { tempDir } = await import("../testing/fixtures.js");
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const wide = join(tmp.dir, "wide.gguf");
  const tensors = Array.from({ length: 24 }, (_, i) => ({ name: `blk.${i % 5}.ffn_up_${i}.weight`, dims: [1024, 768], type: "F32" as const }));
  await writeGguf(wide, { metadata: typedMetadata(await readGguf(model("stories260K.gguf"))), tensors });
  const files = { "model.gguf": await upload(app, wide) };
  const before = readdirSync(store.blobs.dir).sort();

  const ac = new AbortController();
  const r = await post(app, "/api/create", { model: "gone", files, quantize: "q4_K_M" }, { signal: ac.signal });
  const reader = r.body!.getReader();
  let text = "";
  while (!text.includes("quantizing F32 model to Q4_K_M")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  ac.abort();
  await reader.cancel().catch(() => {});
  // The create holds the store lock until it ends: once we get the lock, the job is over (killed, or, were
  // the abort ignored, finished with a manifest and a blob, which the assertions would catch).
  await store.lock.run(async () => {});
  assert.deepEqual(readdirSync(store.blobs.dir).sort(), before);
  assert.equal((await post(app, "/api/show", { model: "gone" })).status, 404);
});
