import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { ProgressResponse } from "../api/types.js";
import { parseName } from "../name/index.js";
import { createRegistryClient } from "../registry/index.js";
import { makeModel } from "../registry/testing/fixture-model.js";
import { startRegistry, type TestRegistry } from "../registry/testing/registry-server.js";
import { freePort } from "../testing/net.js";
import { startTcpProxy } from "../registry/testing/tcp-proxy.js";
import { Store } from "../store/index.js";
import { model, tempDir } from "../testing/fixtures.js";
import { pullModel } from "./pull.js";
import { pushModel } from "./push.js";

// The sibling with this file's extension: .ts under tsx, .js once compiled.
const CHILD = fileURLToPath(new URL(`../registry/testing/pull-child${import.meta.url.slice(import.meta.url.lastIndexOf("."))}`, import.meta.url));
let reg: TestRegistry;
const tmp = tempDir("herd-pull-");
const client = createRegistryClient();
let n = 0;
const freshStore = () => new Store(join(tmp.dir, `s${n++}`));

before(async () => {
  reg = await startRegistry();
});
after(async () => {
  await reg.stop();
  tmp.cleanup();
});

async function blobNames(store: Store): Promise<string[]> {
  return (await readdir(store.blobs.dir).catch(() => [] as string[])).sort();
}

test("push, delete locally, pull back: same manifest digest, same bytes, Ollama's progress", async () => {
  const src = freshStore();
  const name = `${reg.host}/library/stories:latest`;
  const { manifest } = await makeModel(src, name, { gguf: model("stories260K.gguf"), template: "{{ .Prompt }}" });
  await pushModel(src, client, name, { insecure: true });
  const original = await src.readManifest(parseName(name));
  await src.deleteManifest(parseName(name));
  await src.removeUnreferenced([...manifest.layers.map((l) => l.digest), manifest.config.digest]);
  assert.deepEqual(await blobNames(src), []);

  const events: ProgressResponse[] = [];
  await pullModel(src, client, name, { insecure: true, onProgress: (p) => events.push(p) });
  const pulled = await src.readManifest(parseName(name));
  assert.equal(pulled.digest, original.digest);
  assert.deepEqual(pulled.raw, original.raw);
  assert.deepEqual(await readFile(src.blobs.path(manifest.layers[0].digest)), await readFile(model("stories260K.gguf")));
  // Nothing but the three blobs: no partials, no temp files.
  assert.equal((await blobNames(src)).length, 3);

  const hex = (d: string) => `pulling ${d.slice(7, 19)}`;
  assert.deepEqual(
    [...new Set(events.map((e) => e.status))],
    ["pulling manifest", hex(manifest.layers[0].digest), hex(manifest.layers[1].digest), hex(manifest.config.digest), "verifying sha256 digest", "writing manifest", "success"],
  );
  const first = events.find((e) => e.digest === manifest.layers[0].digest)!;
  assert.deepEqual(first, { status: hex(manifest.layers[0].digest), digest: manifest.layers[0].digest, total: manifest.layers[0].size });
  assert.equal(events.filter((e) => e.digest === manifest.layers[0].digest).at(-1)!.completed, manifest.layers[0].size);

  // Pulling again skips every blob and reports them complete.
  const again: ProgressResponse[] = [];
  await pullModel(src, client, name, { insecure: true, onProgress: (p) => again.push(p) });
  assert.ok(again.filter((e) => e.completed !== undefined).every((e) => e.completed === e.total));
});

test("a newer version removes the layers only the old one used", async () => {
  const pusher = freshStore();
  const name = `${reg.host}/library/evolving:latest`;
  const v1 = await makeModel(pusher, name, { gguf: model("stories260K.gguf"), template: "v1" });
  await pushModel(pusher, client, name, { insecure: true });
  const store = freshStore();
  await pullModel(store, client, name, { insecure: true });
  const v2 = await makeModel(pusher, name, { gguf: model("stories260K.gguf"), template: "v2" });
  await pushModel(pusher, client, name, { insecure: true });
  const events: string[] = [];
  await pullModel(store, client, name, { insecure: true, onProgress: (p) => events.push(p.status) });
  assert.ok(events.includes("removing unused layers"));
  assert.equal(await store.blobs.has(v1.manifest.layers[1].digest), false);
  assert.equal(await store.blobs.has(v1.manifest.config.digest), false);
  assert.equal(await store.blobs.has(v2.manifest.layers[1].digest), true);
  assert.equal(await store.blobs.has(v2.manifest.layers[0].digest), true);
});

test("a blob corrupted in the registry is refused and nothing is installed", async () => {
  const src = freshStore();
  const name = `${reg.host}/library/corrupt:latest`;
  const { manifest } = await makeModel(src, name, { gguf: model("stories260K-Q8_0.gguf") });
  await pushModel(src, client, name, { insecure: true });
  const data = reg.blobDataPath(manifest.layers[0].digest);
  const bytes = await readFile(data);
  bytes[1000] ^= 0xff;
  await writeFile(data, bytes);

  const store = freshStore();
  const events: string[] = [];
  await assert.rejects(
    pullModel(store, client, name, { insecure: true, onProgress: (p) => events.push(p.status) }),
    new RegExp(`^RegistryError: digest mismatch, file must be downloaded again: want ${manifest.layers[0].digest}, got sha256:[0-9a-f]{64}$`),
  );
  assert.ok(!events.includes("writing manifest"));
  await assert.rejects(store.readManifest(parseName(name)), /not found/);
  assert.deepEqual(await blobNames(store), [], "no blob, partial or part state left");
});

test("unknown model, unknown host, registry down, http:// without insecure", async () => {
  const store = freshStore();
  const events: string[] = [];
  await assert.rejects(
    pullModel(store, client, `${reg.host}/library/nope:latest`, { insecure: true, onProgress: (p) => events.push(p.status) }),
    /^RegistryError: pull model manifest: file does not exist$/,
  );
  assert.deepEqual(events, ["pulling manifest"]);
  await assert.rejects(pullModel(store, client, "no-such-host.invalid/a/b:c"), /^RegistryError: pull model manifest: Get "https:\/\/no-such-host\.invalid\/v2\/a\/b\/manifests\/c": dial tcp: lookup no-such-host\.invalid: no such host$/);
  const port = await freePort();
  await assert.rejects(
    pullModel(store, client, `127.0.0.1:${port}/a/b:c`, { insecure: true }),
    new RegExp(`connect: connection refused$`),
  );
  const before: string[] = [];
  await assert.rejects(pullModel(store, client, `http://${reg.host}/a/b:c`, { onProgress: (p) => before.push(p.status) }), /^RegistryError: insecure protocol http$/);
  assert.deepEqual(before, [], "refused before any progress");
  assert.deepEqual(await blobNames(store), []);
});

/** A 64 MB random model pushed once straight to the registry; each test pulls it through its own counting relay. */
let big: Promise<{ bytes: Buffer; manifest: import("../store/index.js").Manifest }> | undefined;
async function bigModel() {
  big ??= (async () => {
    const src = freshStore();
    const bytes = randomBytes(64 * 1024 * 1024);
    const { manifest } = await makeModel(src, `${reg.host}/big/blob:latest`, { bytes });
    await pushModel(src, client, `${reg.host}/big/blob:latest`, { insecure: true, tuning: { partSize: 32 * 1024 * 1024 } });
    return { bytes, manifest };
  })();
  const { bytes, manifest } = await big;
  const relay = await startTcpProxy(reg.port);
  return { bytes, manifest, relay, name: `${relay.host}/big/blob:latest` };
}

const tuning = { partSize: 8 * 1024 * 1024, concurrency: 4, retryDelayMs: () => 20 };

test("an interrupted pull resumes: the second pull moves only the missing bytes", async () => {
  const { bytes, manifest, relay, name } = await bigModel();
  try {
    const store = freshStore();
    const total = bytes.length;
    relay.rate = 80 * 1024 * 1024;
    const ac = new AbortController();
    await assert.rejects(
      pullModel(store, client, name, {
        insecure: true,
        signal: ac.signal,
        tuning,
        onProgress: (p) => {
          if (p.digest === manifest.layers[0].digest && (p.completed ?? 0) > total / 2) ac.abort(new Error("client went away"));
        },
      }),
      /client went away/,
    );
    await assert.rejects(store.readManifest(parseName(name)), /not found/);
    const partial = `${store.blobs.path(manifest.layers[0].digest)}-partial`;
    const state = (await blobNames(store)).filter((f) => /-partial-\d+$/.test(f));
    assert.equal(state.length, 8, "one state file per 8 MB part");
    let saved = 0;
    for (const f of state) saved += JSON.parse(await readFile(join(store.blobs.dir, f), "utf8")).Completed;
    assert.ok(saved >= total / 2 && saved < total, `saved ${saved}`);
    assert.equal((await readFile(partial)).length, total);

    relay.rate = 0;
    relay.reset();
    await pullModel(store, client, name, { insecure: true, tuning });
    const missing = total - saved;
    assert.ok(relay.downstream >= missing, `moved ${relay.downstream} < missing ${missing}`);
    assert.ok(relay.downstream < missing + 256 * 1024, `moved ${relay.downstream}, only ${missing} were missing`);
    assert.ok((await readFile(store.blobs.path(manifest.layers[0].digest))).equals(bytes), "pulled bytes equal pushed bytes");
    assert.equal((await blobNames(store)).filter((f) => f.includes("partial")).length, 0);
  } finally {
    await relay.close();
  }
});

test("a pull killed with SIGKILL resumes from its saved part state", async () => {
  const { bytes, manifest, relay, name } = await bigModel();
  try {
    const root = join(tmp.dir, "killed");
    relay.rate = 32 * 1024 * 1024;
    const child = spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith("--test")), CHILD, root, name, String(tuning.partSize), String(tuning.concurrency)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((r) => child.once("exit", r));
    let buf = "";
    child.stdout.on("data", (d) => {
      buf += d;
      for (let i = buf.indexOf("\n"); i >= 0; buf = buf.slice(i + 1), i = buf.indexOf("\n")) {
        const p = JSON.parse(buf.slice(0, i));
        if (p.digest === manifest.layers[0].digest && p.completed > bytes.length / 2) child.kill("SIGKILL");
      }
    });
    assert.equal(await exited, null, "killed, not finished");
    const store = new Store(root);
    let saved = 0;
    for (const f of (await blobNames(store)).filter((f) => /-partial-\d+$/.test(f))) {
      saved += JSON.parse(await readFile(join(store.blobs.dir, f), "utf8")).Completed;
    }
    assert.ok(saved >= bytes.length / 8 && saved < bytes.length, `saved ${saved}`);
    relay.rate = 0;
    relay.reset();
    await pullModel(store, client, name, { insecure: true, tuning });
    assert.ok(relay.downstream < bytes.length - saved + 256 * 1024, `moved ${relay.downstream}, ${bytes.length - saved} were missing`);
    assert.ok((await readFile(store.blobs.path(manifest.layers[0].digest))).equals(bytes));
  } finally {
    await relay.close();
  }
});

test("a cut connection and a stalled one are retried inside the same pull", async () => {
  const { bytes, manifest, relay, name } = await bigModel();
  try {
    const store = freshStore();
    relay.cutAfter = 20 * 1024 * 1024;
    relay.stallAfter = 40 * 1024 * 1024;
    // maxRetries 2: the cut spends one try per part; a stall must not spend any.
    await pullModel(store, client, name, { insecure: true, tuning: { ...tuning, maxRetries: 2, stallMs: 300 } });
    assert.equal(relay.cutAfter, undefined, "the connection was cut");
    assert.equal(relay.stallAfter, undefined, "a connection stalled");
    assert.ok(relay.downstream < bytes.length + 8 * 1024 * 1024, `moved ${relay.downstream}`);
    assert.ok((await readFile(store.blobs.path(manifest.layers[0].digest))).equals(bytes), "pulled bytes equal pushed bytes");
  } finally {
    await relay.close();
  }
});

test("a connection lost for good fails the pull with a clear error and keeps the partial", async () => {
  const { manifest, relay, name } = await bigModel();
  const store = freshStore();
  relay.cutAfter = 10 * 1024 * 1024;
  try {
    await assert.rejects(pullModel(store, client, name, { insecure: true, tuning: { ...tuning, maxRetries: 1 } }), (e: Error) => {
      assert.equal(e.name, "RegistryError");
      assert.match(e.message, /^part \d: .*(closed|reset)/);
      return true;
    });
  } finally {
    await relay.close();
  }
  await assert.rejects(store.readManifest(parseName(name)), /not found/);
  assert.equal(await store.blobs.has(manifest.layers[0].digest), false);
  assert.ok((await blobNames(store)).some((f) => f.endsWith("-partial")));
});

test("two concurrent pulls of one blob download it once", async () => {
  const { bytes, manifest, relay, name } = await bigModel();
  try {
    const store = freshStore();
    await Promise.all([pullModel(store, client, name, { insecure: true, tuning }), pullModel(store, client, name, { insecure: true, tuning })]);
    assert.ok(relay.downstream < bytes.length * 1.1, `moved ${relay.downstream} for ${bytes.length}`);
    assert.ok((await readFile(store.blobs.path(manifest.layers[0].digest))).equals(bytes), "pulled bytes equal pushed bytes");
  } finally {
    await relay.close();
  }
});
