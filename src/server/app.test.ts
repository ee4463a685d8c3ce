import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import test from "node:test";
import { model } from "../testing/fixtures.js";
import { createFromFile, fileDigest, post, testApp } from "./testing.js";

test("root, version, unknown paths and wrong methods", async (t) => {
  const { app, cleanup } = testApp();
  t.after(cleanup);
  const root = await app.request("/");
  assert.equal(root.status, 200);
  assert.equal(await root.text(), "Ollama is running");
  assert.equal((await app.request("/", { method: "HEAD" })).status, 200);
  assert.deepEqual(await (await app.request("/api/version")).json(), { version: "0.0.0-test" });
  const nf = await app.request("/api/nothing");
  assert.equal(nf.status, 404);
  assert.equal(await nf.text(), "404 page not found");
  const wrong = await app.request("/api/tags", { method: "POST" });
  assert.equal(wrong.status, 405);
});

test("ollama.com's routes and cloud models' details answer as Ollama with its cloud disabled; :local names the local model", async (t) => {
  const { app, cleanup } = testApp();
  t.after(cleanup);
  assert.deepEqual(await (await app.request("/api/status")).json(), { cloud: { disabled: true, source: "none" } });
  for (const [method, path, what] of [["POST", "/api/me", "sign-in"], ["POST", "/api/signout", "sign-in"], ["DELETE", "/api/user/keys/abc", "sign-in"], ["POST", "/api/experimental/web_search", "web search"], ["POST", "/api/experimental/web_fetch", "web fetch"]]) {
    const r = await app.request(path, { method, body: "{}" });
    assert.equal(r.status, 403, path);
    assert.deepEqual(await r.json(), { error: `ollama cloud is disabled: ${what} is unavailable` });
  }
  assert.deepEqual(await (await app.request("/api/experimental/model-recommendations")).json(), { recommendations: [] });
  const show = await post(app, "/api/show", { model: "x:cloud" });
  assert.deepEqual([show.status, await show.json()], [403, { error: "ollama cloud is disabled: remote model details are unavailable" }]);
  const both = await post(app, "/api/show", { model: "x:local:cloud" });
  assert.deepEqual([both.status, await both.json()], [400, { error: 'use either :local or :cloud, not both: "x:local:cloud"' }]);
  await createFromFile(app, "stories", model("stories260K.gguf"));
  const local = await post(app, "/api/show", { model: "stories:local" });
  assert.equal(local.status, 200);
  assert.equal((await local.json()).details.family, "llama");
  const audio = await post(app, "/v1/audio/transcriptions", "");
  assert.equal(audio.status, 400);
  assert.match((await audio.json()).error.message, /^audio transcription is not supported/);
});

test("bodies: missing, malformed and wrongly typed are 400s with Ollama's messages", async (t) => {
  const { app, cleanup } = testApp();
  t.after(cleanup);
  let r = await post(app, "/api/show", "");
  assert.equal(r.status, 400);
  assert.deepEqual(await r.json(), { error: "missing request body" });
  r = await post(app, "/api/show", "{nope");
  assert.equal(r.status, 400);
  assert.match((await r.json()).error, /JSON|Expected/);
  r = await post(app, "/api/show", { model: 42 });
  assert.equal(r.status, 400);
  r = await post(app, "/api/show", {});
  assert.deepEqual(await r.json(), { error: "model is required" });
  r = await post(app, "/api/show", "[1,2]");
  assert.equal(r.status, 400);
  r = await post(app, "/api/create", { model: "x" });
  assert.equal(r.status, 400);
  assert.deepEqual(await r.json(), { error: "neither 'from' or 'files' was specified" });
  r = await post(app, "/api/create", { model: "../../etc/passwd", from: "x" });
  assert.deepEqual([r.status, await r.json()], [400, { error: "invalid model name" }]);
});

test("blobs: HEAD/POST with digest checks; a mismatched upload leaves nothing", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  const { digest, bytes } = fileDigest(model("stories260K.gguf"));
  assert.equal((await app.request(`/api/blobs/sha256:123`, { method: "HEAD" })).status, 400);
  const head = await app.request(`/api/blobs/${digest}`, { method: "HEAD" });
  assert.equal(head.status, 404);
  const bad = await app.request(`/api/blobs/${digest}`, { method: "POST", body: new Uint8Array(bytes.subarray(0, 1000)) });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /^digest mismatch, expected "sha256:270cba1b.*", got "sha256:/);
  assert.deepEqual(existsSync(store.blobs.dir) ? readdirSync(store.blobs.dir) : [], []);
  assert.equal((await app.request(`/api/blobs/${digest}`, { method: "POST", body: new Uint8Array(bytes) })).status, 201);
  assert.equal((await app.request(`/api/blobs/${digest}`, { method: "POST", body: new Uint8Array(bytes) })).status, 200);
  assert.equal((await app.request(`/api/blobs/${digest.replace(":", "-")}`, { method: "HEAD" })).status, 200);
});

test("create from a GGUF, then list, show, copy and delete", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  const lines = await createFromFile(app, "stories", model("stories260K.gguf"), {
    system: "You tell stories.",
    parameters: { temperature: 0.5, stop: ["</s>", "END"] },
    license: "MIT",
    messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "Once upon a time" }],
  });
  assert.deepEqual(lines[0], { status: "parsing GGUF" });
  assert.deepEqual(lines[lines.length - 1], { status: "success" });
  assert.ok(lines.some((l) => l.status === "writing manifest"));

  const tags = await (await app.request("/api/tags")).json();
  assert.equal(tags.models.length, 1);
  const m = tags.models[0];
  assert.equal(m.name, "stories:latest");
  assert.equal(m.model, "stories:latest");
  assert.match(m.digest, /^[0-9a-f]{64}$/);
  assert.equal(m.details.format, "gguf");
  assert.equal(m.details.family, "llama");
  assert.equal(m.details.quantization_level, "F32");
  assert.deepEqual(m.capabilities, ["completion"]);

  const show = await (await post(app, "/api/show", { model: "STORIES" })).json();
  assert.equal(show.system, "You tell stories.");
  assert.equal(show.license, "MIT");
  assert.equal(show.model_info["general.architecture"], "llama");
  assert.equal(show.model_info["llama.context_length"], 2048);
  assert.ok(!("general.name" in show.model_info));
  assert.ok(show.tensors.length > 0);
  assert.match(show.parameters, /^stop {27}"<\/s>"$/m);
  assert.match(show.parameters, /^temperature {20}0\.5$/m);
  assert.match(show.modelfile, /^FROM \//m);
  assert.deepEqual(show.messages, [{ role: "user", content: "hi" }, { role: "assistant", content: "Once upon a time" }]);

  // The params layer is Go's json.Marshal of a map: sorted keys.
  const manifest = JSON.parse(readFileSync(join(store.root, "manifests/registry.ollama.ai/library/stories/latest"), "utf8"));
  const paramsLayer = manifest.layers.find((l: { mediaType: string }) => l.mediaType === "application/vnd.ollama.image.params");
  assert.equal(readFileSync(store.blobs.path(paramsLayer.digest), "utf8"), '{"stop":["</s>","END"],"temperature":0.5}');

  let r = await post(app, "/api/copy", { source: "stories", destination: "me/stories:v2" });
  assert.equal(r.status, 200);
  r = await post(app, "/api/copy", { source: "missing", destination: "x" });
  assert.deepEqual([r.status, await r.json()], [404, { error: 'model "missing" not found' }]);
  r = await post(app, "/api/copy", { source: "stories", destination: "a/../b" });
  assert.deepEqual([r.status, await r.json()], [400, { error: 'destination "a/../b" is invalid' }]);
  const names = (await (await app.request("/api/tags")).json()).models.map((x: { name: string }) => x.name).sort();
  assert.deepEqual(names, ["me/stories:v2", "stories:latest"]);

  const del = (body: unknown) => app.request("/api/delete", { method: "DELETE", body: JSON.stringify(body) });
  assert.equal((await del({ model: "stories" })).status, 200);
  // The copy still references the weights, so they stay.
  assert.ok(await store.blobs.has(manifest.layers[0].digest));
  r = await del({ model: "stories" });
  assert.deepEqual([r.status, await r.json()], [404, { error: "model 'stories' not found" }]);
  assert.equal((await del({ name: "me/stories:v2" })).status, 200);
  assert.deepEqual(readdirSync(store.blobs.dir), []);
  assert.deepEqual((await (await app.request("/api/tags")).json()).models, []);
});

test("re-creating a model replaces it and collects layers no longer used", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  await createFromFile(app, "m", model("stories260K.gguf"), { system: "first" });
  const before = readdirSync(store.blobs.dir).length;
  await createFromFile(app, "m", model("stories260K.gguf"), { system: "second" });
  assert.equal(readdirSync(store.blobs.dir).length, before);
  const show = await (await post(app, "/api/show", { model: "m" })).json();
  assert.equal(show.system, "second");
});

test("create from an existing model inherits its layers and overrides what is given", async (t) => {
  const { app, cleanup } = testApp();
  t.after(cleanup);
  await createFromFile(app, "base", model("stories260K.gguf"), { system: "base system", parameters: { temperature: 0.1 } });
  const r = await post(app, "/api/create", { model: "child", from: "base", parameters: { top_k: 5 }, stream: false });
  assert.deepEqual(await r.json(), { status: "success" });
  const show = await (await post(app, "/api/show", { model: "child" })).json();
  assert.equal(show.system, "base system");
  assert.match(show.parameters, /temperature\s+0\.1/);
  assert.match(show.parameters, /top_k\s+5/);
  assert.equal(show.details.parent_model, "base:latest");
  const missing = await post(app, "/api/create", { model: "x", from: "nope", stream: false });
  assert.equal(missing.status, 404);
});

test("create refuses files that are not GGUF, GGUF v1 and bad templates, and stores nothing", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  for (const [file, pattern] of [
    [model("stories260K-hf/config.json"), /not in GGUF format/],
    [model("stories260K-gguf-v1.gguf"), /version 1/],
  ] as const) {
    const { digest, bytes } = fileDigest(file);
    await app.request(`/api/blobs/${digest}`, { method: "POST", body: new Uint8Array(bytes) });
    const r = await post(app, "/api/create", { model: "bad", files: { "model.gguf": digest }, stream: false });
    assert.equal(r.status, 400, file);
    assert.match((await r.json()).error, pattern);
  }
  const { digest, bytes } = fileDigest(model("stories260K.gguf"));
  await app.request(`/api/blobs/${digest}`, { method: "POST", body: new Uint8Array(bytes) });
  const r = await post(app, "/api/create", { model: "bad", files: { "model.gguf": digest }, template: "{{ .Prompt ", stream: false });
  assert.equal(r.status, 400);
  assert.match((await r.json()).error, /^template error: /);
  assert.equal(existsSync(join(store.root, "manifests")), false);
});

test("CORS allows the default origins, refuses others; the Host guard refuses rebinding", async (t) => {
  const { app, cleanup } = testApp();
  t.after(cleanup);
  const ok = await app.request("/api/version", { headers: { Origin: "http://localhost:3000" } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("access-control-allow-origin"), "http://localhost:3000");
  const pre = await app.request("/api/chat", { method: "OPTIONS", headers: { Origin: "http://localhost", "Access-Control-Request-Method": "POST" } });
  assert.equal(pre.status, 204);
  assert.match(pre.headers.get("access-control-allow-headers")!, /x-stainless-os/);
  assert.equal((await app.request("/api/version", { headers: { Origin: "https://evil.example" } })).status, 403);
  assert.equal((await app.request("/api/version", { headers: { Host: "evil.example:11434" } })).status, 403);
  assert.equal((await app.request("/api/version", { headers: { Host: "localhost:11434" } })).status, 200);
  assert.equal((await app.request("/api/version", { headers: { Host: "192.168.1.5:11434" } })).status, 200);
});

test("JSON bodies are capped, blob uploads are not", async (t) => {
  const { app, cleanup } = testApp();
  t.after(cleanup);
  const { JSON_BODY_LIMIT } = await import("./app.js");
  const r = await app.request("/api/show", { method: "POST", body: "x", headers: { "Content-Length": String(JSON_BODY_LIMIT + 1) } });
  assert.equal(r.status, 413);
  assert.deepEqual(await r.json(), { error: "request body too large" });
});

test("a GGUF whose Jinja template matches a named template gets that Go template and its stops", async (t) => {
  const { app, cleanup } = testApp();
  t.after(cleanup);
  const lines = await createFromFile(app, "chatml", model("stories260K-chatml.gguf"));
  assert.ok(lines.some((l) => l.status === "using autodetected template chatml"), JSON.stringify(lines));
  const show = await (await post(app, "/api/show", { model: "chatml" })).json();
  assert.match(show.template, /<\|im_start\|>/);
  assert.match(show.parameters, /^stop\s+"<\|im_start\|>"$/m);
  assert.match(show.parameters, /^stop\s+"<\|im_end\|>"$/m);
});

test("a store written by Ollama lists and shows: same IDs, sizes and details", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  const { mkdirSync, writeFileSync } = await import("node:fs");
  const { createHash } = await import("node:crypto");
  const put = (content: Buffer | string) => {
    const digest = "sha256:" + createHash("sha256").update(content).digest("hex");
    mkdirSync(store.blobs.dir, { recursive: true });
    writeFileSync(store.blobs.path(digest), content);
    return { digest, size: Buffer.byteLength(content) };
  };
  const weights = put(readFileSync(model("stories260K.gguf")));
  const tmpl = put("{{ .Prompt }}");
  const params = put('{"stop":["<|eot_id|>"],"temperature":0.6}');
  const config = put('{"model_format":"gguf","model_family":"llama","model_families":["llama"],"model_type":"260K","file_type":"F32","architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  // Byte for byte as Ollama's json.Encoder writes it (§16.6), with the legacy `.prompt` media type too.
  const raw =
    `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"${config.digest}","size":${config.size}},` +
    `"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"${weights.digest}","size":${weights.size}},{"mediaType":"application/vnd.ollama.image.prompt","digest":"${tmpl.digest}","size":${tmpl.size}},{"mediaType":"application/vnd.ollama.image.params","digest":"${params.digest}","size":${params.size}}]}\n`;
  const dir = join(store.root, "manifests/registry.ollama.ai/library/llama3.2");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "1b"), raw);
  const tags = await (await app.request("/api/tags")).json();
  assert.equal(tags.models.length, 1);
  const m = tags.models[0];
  assert.equal(m.name, "llama3.2:1b");
  assert.equal(m.digest, createHash("sha256").update(raw).digest("hex"));
  assert.equal(m.size, weights.size + tmpl.size + params.size + config.size);
  assert.deepEqual(m.details, { parent_model: "", format: "gguf", family: "llama", families: ["llama"], parameter_size: "260K", quantization_level: "F32" });
  const show = await (await post(app, "/api/show", { model: "LLAMA3.2:1B" })).json();
  assert.equal(show.template, "{{ .Prompt }}");
  assert.match(show.parameters, /^temperature\s+0\.6$/m);
});

test("inference bodies with wrong JSON types are 400s in Go's words, before any engine work", async (t) => {
  const { app, cleanup } = testApp();
  t.after(cleanup);
  const cases: [string, unknown, RegExp][] = [
    ["/api/chat", { model: "m", messages: "x" }, /^json: cannot unmarshal string into Go struct field ChatRequest\.messages of type array$/],
    ["/api/chat", { model: "m", messages: [5] }, /^json: cannot unmarshal number into Go struct field ChatRequest\.messages of type object$/],
    ["/api/chat", { model: "m", messages: [{ content: "hi" }] }, /ChatRequest\.messages\.role of type string/],
    ["/api/generate", { model: "m", prompt: 5 }, /^json: cannot unmarshal number into Go struct field GenerateRequest\.prompt of type string$/],
    ["/api/generate", { model: "m", options: [] }, /GenerateRequest\.options/],
    ["/api/generate", { model: "m", stream: "yes" }, /GenerateRequest\.stream of type bool/],
    ["/api/embed", { model: "m", truncate: 1 }, /EmbedRequest\.truncate of type bool/],
    ["/api/embeddings", { model: "m", prompt: ["a"] }, /EmbeddingRequest\.prompt of type string/],
    ["/api/chat", null, /^json: cannot unmarshal null into Go value of type api\.ChatRequest$/],
  ];
  for (const [path, body, pattern] of cases) {
    const r = await post(app, path, JSON.stringify(body));
    assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}`);
    assert.match((await r.json()).error, pattern, `${path} ${JSON.stringify(body)}`);
  }
});
