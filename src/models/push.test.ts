import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ProgressResponse } from "../api/types.js";
import { parseName } from "../name/index.js";
import { createRegistryClient, MANIFEST_ACCEPT } from "../registry/index.js";
import { makeModel } from "../registry/testing/fixture-model.js";
import { startRegistry, type TestRegistry } from "../registry/testing/registry-server.js";
import { freePort } from "../testing/net.js";
import { startTcpProxy } from "../registry/testing/tcp-proxy.js";
import { Store } from "../store/index.js";
import { model, tempDir } from "../testing/fixtures.js";
import { pushModel } from "./push.js";

let reg: TestRegistry;
const tmp = tempDir("herd-push-");
before(async () => {
  reg = await startRegistry();
});
after(async () => {
  await reg.stop();
  tmp.cleanup();
});

test("push uploads every blob in chunks and PUTs the manifest byte for byte", async () => {
  const store = new Store(join(tmp.dir, "a"));
  const name = `${reg.host}/herd/stories:push`;
  const { manifest } = await makeModel(store, name, { gguf: model("stories260K.gguf"), template: "{{ .Prompt }}" });
  const events: ProgressResponse[] = [];
  const client = createRegistryClient();
  // 300 KB parts: the 1.1 MB model goes up in four PATCHes.
  await pushModel(store, client, name, { insecure: true, onProgress: (p) => events.push(p), tuning: { partSize: 300_000 } });

  const statuses = [...new Set(events.map((e) => e.status))];
  const hex = (d: string) => d.slice(7, 19);
  assert.deepEqual(statuses, [
    "retrieving manifest",
    `pushing ${hex(manifest.layers[0].digest)}`,
    `pushing ${hex(manifest.layers[1].digest)}`,
    `pushing ${hex(manifest.config.digest)}`,
    "pushing manifest",
    "success",
  ]);
  const modelEvents = events.filter((e) => e.digest === manifest.layers[0].digest);
  assert.equal(modelEvents.at(-1)!.completed, manifest.layers[0].size);
  assert.ok(modelEvents.length >= 3, "progress reported per chunk");

  const res = await fetch(`${reg.url}/v2/herd/stories/manifests/push`, { headers: { accept: MANIFEST_ACCEPT } });
  assert.equal(res.status, 200);
  const served = Buffer.from(await res.arrayBuffer());
  const local = await store.readManifest(parseName(name));
  assert.deepEqual(served, local.raw);
  assert.equal(res.headers.get("docker-content-digest"), `sha256:${local.digest}`);
  const blob = await readFile(reg.blobDataPath(manifest.layers[0].digest));
  assert.deepEqual(blob, await readFile(model("stories260K.gguf")));

  // A second push finds every blob present and uploads nothing.
  const again: ProgressResponse[] = [];
  await pushModel(store, client, name, { insecure: true, onProgress: (p) => again.push(p) });
  const perLayer = again.filter((e) => e.digest);
  assert.ok(perLayer.every((e) => e.completed === undefined || e.completed === e.total));
});

test("a layer with `from` is mounted from its source repository", async () => {
  const store = new Store(join(tmp.dir, "b"));
  const source = `${reg.host}/herd/q8:latest`;
  await makeModel(store, source, { gguf: model("stories260K-Q8_0.gguf") });
  const client = createRegistryClient();
  await pushModel(store, client, source, { insecure: true });
  const derived = `${reg.host}/other/derived:latest`;
  const { model: layer } = await makeModel(store, derived, { gguf: model("stories260K-Q8_0.gguf"), from: source, template: "x" });
  const { uploadBlob } = await import("../registry/index.js");
  const how = await uploadBlob({ client, name: parseName(derived), layer, path: store.blobs.path(layer.digest), insecure: true });
  assert.equal(how, "mounted");
  const head = await fetch(`${reg.url}/v2/other/derived/blobs/${layer.digest}`, { method: "HEAD" });
  assert.equal(head.status, 200);
});

// distribution voids an upload session whose chunk was torn (its status GET answers 404), so the
// retry opens a new session; a registry that still reports the session's Range resumes instead.
test("a chunk lost with its connection is retried through a fresh upload session", async () => {
  const store = new Store(join(tmp.dir, "d"));
  const relay = await startTcpProxy(reg.port);
  try {
    const name = `${relay.host}/herd/flaky:latest`;
    const { manifest } = await makeModel(store, name, { gguf: model("stories260K.gguf") });
    relay.cutUpstreamAfter = 500_000;
    await pushModel(store, createRegistryClient(), name, { insecure: true, tuning: { partSize: 200_000, retryDelayMs: () => 10 } });
    assert.equal(relay.cutUpstreamAfter, undefined, "the connection was cut mid-upload");
    const blob = await readFile(reg.blobDataPath(manifest.layers[0].digest));
    assert.ok(blob.equals(await readFile(model("stories260K.gguf"))));
    assert.ok(relay.upstream < 2 * manifest.layers[0].size + 400_000, `sent ${relay.upstream}`);
  } finally {
    await relay.close();
  }
});

test("push errors: http:// name without insecure, unknown local model, registry down", async () => {
  const store = new Store(join(tmp.dir, "c"));
  const client = createRegistryClient();
  await assert.rejects(pushModel(store, client, `http://${reg.host}/a/b:c`), /^RegistryError: insecure protocol http$/);
  await assert.rejects(pushModel(store, client, `${reg.host}/a/missing:c`, { insecure: true }), /not found/);
  const port = await freePort();
  await makeModel(store, `127.0.0.1:${port}/a/b:c`, { bytes: Buffer.from("weights") });
  await assert.rejects(
    pushModel(store, client, `127.0.0.1:${port}/a/b:c`, { insecure: true }),
    new RegExp(`Head "http://127\\.0\\.0\\.1:${port}/v2/a/b/blobs/sha256:[0-9a-f]{64}": dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused`),
  );
});
