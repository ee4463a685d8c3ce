import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import test from "node:test";
import { parseName } from "../name/index.js";
import { tempDir } from "../testing/fixtures.js";
import { CONFIG_MEDIA_TYPE, encodeManifest, MediaType, newManifest, pruneStore, readModel, Store } from "./index.js";

async function makeModel(store: Store, name: string, text: string) {
  const weights = await store.blobs.write(text);
  const template = await store.blobs.write("{{ .Prompt }}");
  const config = await store.blobs.write(JSON.stringify({ model_format: "gguf", architecture: "amd64", os: "linux" }));
  const m = newManifest({ mediaType: CONFIG_MEDIA_TYPE, ...config }, [
    { mediaType: MediaType.model, ...weights },
    { mediaType: MediaType.template, ...template },
  ]);
  await store.writeManifest(parseName(name), m);
  return m;
}

test("blobs are named by their sha256 and a wrong expected digest stores nothing", async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const store = new Store(dir);
  const b = await store.blobs.write("hello");
  assert.equal(b.digest, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  assert.equal(readFileSync(store.blobs.path(b.digest), "utf8"), "hello");
  await assert.rejects(
    store.blobs.write("other", b.digest.replace("2cf", "3cf")),
    /digest mismatch, expected "sha256:3cf24dba.*", got "sha256:d9298a10/,
  );
  assert.deepEqual(readdirSync(join(dir, "blobs")), [`sha256-${b.digest.slice(7)}`]);
});

test("manifests are written in Ollama's byte layout, listed, resolved case-insensitively and deleted", async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const store = new Store(dir);
  const m = await makeModel(store, "Tiny:Latest", "weights");
  const path = join(dir, "manifests/registry.ollama.ai/library/Tiny/Latest");
  const raw = readFileSync(path, "utf8");
  assert.ok(raw.startsWith('{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:'));
  assert.ok(raw.endsWith("}\n"));
  assert.equal(raw, encodeManifest(m).toString());
  const got = await store.readManifest(parseName("tiny:latest"));
  assert.equal(got.name.model, "Tiny");
  assert.equal(got.digest.length, 64);
  const model = await readModel(store, parseName("TINY"));
  assert.equal(model.template, "{{ .Prompt }}");
  assert.equal(readFileSync(model.modelPath!, "utf8"), "weights");
  const { models } = await store.list();
  assert.deepEqual(models.map((x) => x.name.model), ["Tiny"]);
  await store.deleteManifest(parseName("tiny"));
  assert.equal(existsSync(join(dir, "manifests/registry.ollama.ai")), false);
  await assert.rejects(store.readManifest(parseName("tiny")), /model 'tiny:latest' not found/);
});

test("removeUnreferenced keeps layers another manifest still uses", async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const store = new Store(dir);
  const a = await makeModel(store, "a", "shared-weights");
  await makeModel(store, "b", "shared-weights");
  await store.deleteManifest(parseName("a"));
  const removed = await store.removeUnreferenced([a.config.digest, ...a.layers.map((l) => l.digest)]);
  assert.deepEqual(removed, []);
  assert.ok(await store.blobs.has(a.layers[0].digest));
});

test("a process killed between write and rename leaves no blob under a digest name; prune clears the temp", async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  // The child writes a blob and kills itself with SIGKILL right before the rename.
  const script = `
    import { Store } from ${JSON.stringify(new URL("./index.js", import.meta.url).href)};
    const store = new Store(${JSON.stringify(dir)});
    await store.blobs.write("crash me", undefined, { beforeRename: async () => { process.kill(process.pid, "SIGKILL"); await new Promise(() => {}); } });
  `;
  const r = spawnSync(process.execPath, [...process.execArgv, "--input-type=module", "-e", script]);
  assert.equal(r.signal, "SIGKILL");
  const left = readdirSync(join(dir, "blobs"));
  assert.equal(left.length, 1);
  assert.match(left[0], /^tmp-/);
  const store = new Store(dir);
  const res = await pruneStore(store);
  assert.deepEqual(res.removed, left);
  assert.deepEqual(readdirSync(join(dir, "blobs")), []);
});

test("prune removes old unreferenced blobs, keeps young ones, referenced ones and young partials", async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const store = new Store(dir);
  const kept = await makeModel(store, "keep", "kept");
  const old = await store.blobs.write("old orphan");
  const young = await store.blobs.write("young orphan");
  const hourAgo = new Date(Date.now() - 2 * 3600_000);
  utimesSync(store.blobs.path(old.digest), hourAgo, hourAgo);
  utimesSync(store.blobs.path(kept.layers[0].digest), hourAgo, hourAgo);
  const partial = join(dir, "blobs", `sha256-${"a".repeat(64)}-partial`);
  const oldPartial = join(dir, "blobs", `sha256-${"b".repeat(64)}-partial-0`);
  writeFileSync(partial, "x");
  writeFileSync(oldPartial, "{}");
  const twoDays = new Date(Date.now() - 2 * 86400_000);
  utimesSync(oldPartial, twoDays, twoDays);
  writeFileSync(join(dir, "blobs", "garbage"), "x");
  mkdirSync(join(dir, "manifests/example.com/ns/empty"), { recursive: true });
  const blobFiles = readdirSync(join(dir, "blobs")).filter((n) => /^sha256-[0-9a-f]{64}$/.test(n)).length;
  const res = await pruneStore(store);
  // Ollama's "total blobs": every blob file, referenced or not (not partials, not strays).
  assert.equal(res.blobs, blobFiles);
  assert.ok(blobFiles >= 4, String(blobFiles));
  assert.equal(res.blobsRemoved, 1, "the old orphan; the partial and the stray file are not blobs");
  assert.deepEqual(res.removed.sort(), [`sha256-${old.digest.slice(7)}`, `sha256-${"b".repeat(64)}-partial-0`, "garbage"].sort());
  assert.ok(await store.blobs.has(young.digest));
  assert.ok(await store.blobs.has(kept.layers[0].digest));
  assert.ok(existsSync(partial));
  assert.equal(existsSync(join(dir, "manifests/example.com")), false);
});

test("prune deletes nothing while a manifest is corrupt", async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const store = new Store(dir);
  const old = await store.blobs.write("orphan");
  const past = new Date(Date.now() - 2 * 3600_000);
  utimesSync(store.blobs.path(old.digest), past, past);
  mkdirSync(join(dir, "manifests/registry.ollama.ai/library/bad"), { recursive: true });
  writeFileSync(join(dir, "manifests/registry.ollama.ai/library/bad/latest"), "{not json");
  const res = await pruneStore(store);
  assert.deepEqual(res.removed, []);
  assert.match(res.skipped!, /corrupt manifests/);
  assert.ok(await store.blobs.has(old.digest));
});

test("concurrent writes of manifests and blobs keep the store consistent", async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const store = new Store(dir);
  await Promise.all(Array.from({ length: 20 }, (_, i) => makeModel(store, `m${i % 5}`, `w${i % 3}`)));
  const { models, invalid } = await store.list();
  assert.equal(invalid.length, 0);
  assert.equal(models.length, 5);
  for (const m of models) for (const l of m.manifest.layers) assert.ok(await store.blobs.has(l.digest));
  assert.deepEqual(readdirSync(join(dir, "blobs")).filter((f) => f.startsWith("tmp-")), []);
});

test("ModelCache serves a model again until its manifest changes", async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const store = new Store(dir);
  const { ModelCache } = await import("./index.js");
  const cache = new ModelCache(store);
  await makeModel(store, "m", "one");
  const a = await cache.read(parseName("M"));
  assert.equal(await cache.read(parseName("m")), a);
  await new Promise((r) => setTimeout(r, 15));
  await makeModel(store, "m", "two");
  const b = await cache.read(parseName("m"));
  assert.notEqual(b, a);
  assert.equal(readFileSync(b.modelPath!, "utf8"), "two");
  await store.deleteManifest(parseName("m"));
  await assert.rejects(cache.read(parseName("m")), /not found/);
});

test("files derived from a blob go with it: on delete, and at prune when the blob is gone or a temp file is stale", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = new Store(dir);
    const kept = await store.blobs.write("kept weights");
    const gone = await store.blobs.write("removed weights");
    mkdirSync(store.blobs.derivedDir, { recursive: true });
    const name = (d: string) => d.replace(":", "-");
    for (const d of [kept.digest, gone.digest]) {
      writeFileSync(join(store.blobs.derivedDir, `${name(d)}.v1.gguf`), "x");
      writeFileSync(join(store.blobs.derivedDir, `${name(d)}.v1.mmproj.gguf`), "x");
    }
    await store.blobs.remove(gone.digest);
    assert.deepEqual(readdirSync(store.blobs.derivedDir).sort(), [`${name(kept.digest)}.v1.gguf`, `${name(kept.digest)}.v1.mmproj.gguf`]);

    // An orphan (its blob removed behind herd's back) and a dead process's temp file are pruned.
    const orphan = `sha256-${"a".repeat(64)}.v1.gguf`;
    writeFileSync(join(store.blobs.derivedDir, orphan), "x");
    writeFileSync(join(store.blobs.derivedDir, "tmp-999999999-abc-x.gguf"), "x");
    await store.writeManifest(parseName("m"), newManifest({ mediaType: CONFIG_MEDIA_TYPE, ...kept }, [{ mediaType: MediaType.model, ...kept }]));
    await pruneStore(store);
    assert.deepEqual(readdirSync(store.blobs.derivedDir).sort(), [`${name(kept.digest)}.v1.gguf`, `${name(kept.digest)}.v1.mmproj.gguf`]);
  } finally {
    cleanup();
  }
});
