// Hostile request bodies and names against the HTTP edge alone (no engine): every answer is a 4xx with
// Go's words, never a 500, and nothing outside the store is touched. Engine-side faults are in
// test/e2e/robust.test.ts.

import assert from "node:assert/strict";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import test from "node:test";
import { parseName } from "../name/index.js";
import { MediaType } from "../store/index.js";
import { model } from "../testing/fixtures.js";
import { MAX_JSON_DEPTH, scanJsonLimits } from "./json-scan.js";
import { CLOUD_OFF } from "./routes/cloud.js";
import { createFromFile, post, testApp } from "./testing.js";

const nested = (depth: number, leaf = "1") => "[".repeat(depth) + leaf + "]".repeat(depth);

test("the depth scan counts brackets outside strings only, without recursion", () => {
  assert.equal(scanJsonLimits(nested(MAX_JSON_DEPTH)), undefined);
  assert.deepEqual(scanJsonLimits(nested(MAX_JSON_DEPTH + 1)), { kind: "depth", text: "[", keys: [] });
  assert.equal(scanJsonLimits(JSON.stringify({ s: "[".repeat(MAX_JSON_DEPTH + 5) + '\\"{' })), undefined);
  assert.equal(scanJsonLimits(nested(1_000_000)!)?.kind, "depth");
  assert.deepEqual(scanJsonLimits('{"a":{"b":[1,{"c":2e400}]}}'), { kind: "number", text: "2e400", keys: ["a", "b", "c"] });
  assert.deepEqual(scanJsonLimits('{"a":"x\\\\","b":-1e999}'), { kind: "number", text: "-1e999", keys: ["b"] });
  assert.equal(scanJsonLimits('{"a":1e308,"b":1e-400,"c":"1e400"}'), undefined);
});

test("a body nested deeper than 10,000 is Go's 400 on every JSON route, before any handler runs", async (t) => {
  const { app, cleanup } = testApp();
  t.after(cleanup);
  const body = `{"model":"m","format":${"{\"a\":".repeat(MAX_JSON_DEPTH)}1${"}".repeat(MAX_JSON_DEPTH)}}`;
  // ollama.com's routes (cloud.ts) and audio transcription (multipart) read no JSON: they answer at once.
  const noJson = new Set([...CLOUD_OFF.map(([, path]) => path), "/v1/audio/transcriptions"]);
  const routes = [...new Set(app.routes.filter((r) => r.method === "POST" && !r.path.includes(":") && !noJson.has(r.path)).map((r) => r.path))];
  assert.ok(routes.length >= 15, routes.join());
  for (const path of routes) {
    const r = await post(app, path, body);
    assert.equal(r.status, 400, path);
    assert.match(JSON.stringify(await r.json()), /invalid character '\{' exceeded max depth/, path);
  }
});

test("a leading byte-order mark is Go's 400, as Ollama's decoder refuses it", async (t) => {
  const { app, cleanup } = testApp();
  t.after(cleanup);
  for (const path of ["/api/show", "/api/generate", "/v1/chat/completions"]) {
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('{"model":"m"}')]);
    const r = await app.request(path, { method: "POST", body, headers: { "Content-Type": "application/json" } });
    assert.equal(r.status, 400, path);
    assert.match(JSON.stringify(await r.json()), /invalid character 'ï' looking for beginning of value/);
  }
});

test("numbers a double cannot hold and fractions in integer fields are Go's 400s", async (t) => {
  const { app, cleanup } = testApp();
  t.after(cleanup);
  const cases: [string, string, string][] = [
    ["/api/generate", '{"model":"m","options":{"seed":1e400}}', "json: cannot unmarshal number 1e400 into Go struct field GenerateRequest.options of type float64"],
    ["/api/generate", '{"model":"m","options":{"num_batch":-1E999}}', "json: cannot unmarshal number -1E999 into Go struct field GenerateRequest.options of type float64"],
    ["/api/chat", '{"model":"m","messages":[],"options":{"num_gpu":1e400}}', "json: cannot unmarshal number 1e400 into Go struct field ChatRequest.options of type float64"],
    ["/api/chat", '{"model":"m","options":{"draft_num_predict":1e400}}', "json: cannot unmarshal number 1e400 into Go struct field ChatRequest.options of type float64"],
    ["/api/embed", '{"model":"m","input":"x","options":{"stop":1e400}}', "json: cannot unmarshal number 1e400 into Go struct field EmbedRequest.options of type float64"],
    ["/api/embeddings", '{"model":"m","prompt":"x","options":{"repeat_last_n":1e400}}', "json: cannot unmarshal number 1e400 into Go struct field EmbeddingRequest.options of type float64"],
    ["/api/generate", '{"model":"m","context":[1e400]}', "json: cannot unmarshal number 1e400 into Go struct field GenerateRequest.context of type int"],
    ["/api/generate", '{"model":"m","context":[0.5]}', "json: cannot unmarshal number 0.5 into Go struct field GenerateRequest.context of type int"],
    ["/api/generate", '{"model":"m","top_logprobs":1.5}', "json: cannot unmarshal number 1.5 into Go struct field GenerateRequest.top_logprobs of type int"],
    ["/api/embed", '{"model":"m","dimensions":2.5}', "json: cannot unmarshal number 2.5 into Go struct field EmbedRequest.dimensions of type int"],
  ];
  for (const [path, body, message] of cases) {
    const r = await post(app, path, body);
    assert.equal(r.status, 400, body);
    assert.deepEqual(await r.json(), { error: message }, body);
  }
  // The compatible dialects answer 400 in their own error shape.
  const r = await post(app, "/v1/chat/completions", '{"model":"m","messages":[],"seed":1e400}');
  assert.equal(r.status, 400);
  assert.match(JSON.stringify(await r.json()), /cannot unmarshal number 1e400/);
});

test("hostile names and digests are 4xx and never touch a path outside the store", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  // A directory beside the store that a traversal would reach.
  const outside = join(dirname(store.root), `outside-${Date.now()}`);
  mkdirSync(outside);
  // What the traversals below would create beside the store (the temp dir is shared: compare before/after).
  const targets = (names: string[]) => names.filter((n) => n.includes("pwned") || n === "x" || n === "y" || n === "b");
  const before = targets(readdirSync(dirname(store.root)));
  t.after(() => rmSync(outside, { recursive: true, force: true }));
  const names = [
    "../../etc/passwd", "..", "../outside", "a/../../b", "%2e%2e/%2e%2e/x", "x:../../y", "/abs/path", "a\\..\\..\\b",
    "model\u0000", "CON", "a".repeat(400), "host:99999/ns/m:t", "m:" + "t".repeat(200), "..:latest", "ns/../../m",
    `../${outside.split("/").pop()}/pwned`, "m@sha256:../../x", "registry.ollama.ai/library/../../../tmp/x",
  ];
  for (const name of names) {
    for (const [path, body] of [
      ["/api/show", { model: name }],
      ["/api/delete", { model: name }],
      ["/api/copy", { source: "stories", destination: name }],
      ["/api/copy", { source: name, destination: "ok" }],
      ["/api/create", { model: name, from: "stories" }],
    ] as const) {
      const r = await app.request(path, { method: path === "/api/delete" ? "DELETE" : "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
      assert.ok(r.status >= 400 && r.status < 500, `${path} ${JSON.stringify(name)} → ${r.status}`);
      await r.body?.cancel();
    }
  }
  for (const digest of ["sha256:../../x", "sha256-" + "a".repeat(64) + "/../../x", "..%2F..%2Fx", "sha256:" + "g".repeat(64), "sha512:" + "a".repeat(128)]) {
    for (const method of ["HEAD", "POST"]) {
      const r = await app.request(`/api/blobs/${digest}`, { method, body: method === "POST" ? "x" : undefined });
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${digest} → ${r.status}`);
    }
  }
  assert.deepEqual(readdirSync(outside), []);
  assert.deepEqual(targets(readdirSync(dirname(store.root))), before);
});

test("concurrent listings read each new model once, and never its system prompt", async (t) => {
  const { app, store, cleanup } = testApp();
  t.after(cleanup);
  const tenMiB = (c: string) => c.repeat(10 * 1024 * 1024);
  await createFromFile(app, "big-plain", model("stories260K.gguf"), { template: "{{ .Prompt }}" + tenMiB("t"), system: tenMiB("s") });
  await createFromFile(app, "big-tools", model("stories260K.gguf"), { template: "{{ if .Tools }}T{{ end }}{{ .Prompt }}" + tenMiB("u"), system: tenMiB("v") });
  const layers = async (name: string) => (await store.readManifest(parseName(name))).manifest.layers;
  const systems = (await Promise.all(["big-plain", "big-tools"].map(layers))).flat().filter((l) => l.mediaType === MediaType.system).map((l) => l.digest);
  const templates = (await Promise.all(["big-plain", "big-tools"].map(layers))).flat().filter((l) => l.mediaType === MediaType.template).map((l) => l.digest);
  assert.equal(systems.length, 2);

  const reads = new Map<string, number>();
  const read = store.blobs.read.bind(store.blobs);
  store.blobs.read = (digest: string) => {
    reads.set(digest, (reads.get(digest) ?? 0) + 1);
    return read(digest);
  };
  const listings = Array.from({ length: 32 }, async () => (await app.request("/api/tags")).json());
  // The server answers other requests while the listings run.
  assert.deepEqual(await (await app.request("/api/version")).json(), { version: "0.0.0-test" });
  const results = await Promise.all(listings);
  for (const body of results) {
    const caps = Object.fromEntries(body.models.map((m: { name: string; capabilities: string[] }) => [m.name, m.capabilities]));
    assert.deepEqual(caps, { "big-plain:latest": ["completion"], "big-tools:latest": ["completion", "tools"] });
  }
  for (const d of systems) assert.equal(reads.get(d) ?? 0, 0, "a listing never reads a system prompt");
  for (const d of templates) assert.equal(reads.get(d), 1, "each template is read once for all 32 listings");
});
