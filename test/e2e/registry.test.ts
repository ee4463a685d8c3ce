// A user's round trip through a real OCI registry: `herd push`, `herd rm`, `herd pull`, `herd run`.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import test from "node:test";
import { startRegistry } from "../../src/registry/testing/registry-server.js";
import { model } from "../../src/testing/fixtures.js";
import { runCli, startServer } from "./harness.js";

test("push to a registry, delete, pull back and run; errors read clearly", async (t) => {
  const reg = await startRegistry();
  t.after(() => reg.stop());
  const srv = await startServer();
  t.after(() => srv.stop());
  const cli = (...args: string[]) => runCli(args, { env: srv.env, cwd: srv.home });
  const name = `${reg.host}/herd/stories:v1`;

  writeFileSync(join(srv.home, "Modelfile"), `FROM ${model("stories260K.gguf")}\nPARAMETER temperature 0\nPARAMETER num_predict 8\n`);
  let r = await cli("create", name, "-f", join(srv.home, "Modelfile"));
  assert.equal(r.code, 0, r.stderr);
  const before = (await cli("list")).stdout;
  const id = new RegExp(`^${name.replace(/[.]/g, "\\.")}\\s+([0-9a-f]{12})`, "m").exec(before)![1];

  // Without --insecure, an http registry is refused (herd names the registry http only then).
  r = await cli("push", name);
  assert.notEqual(r.code, 0);

  r = await cli("push", name, "--insecure");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr + r.stdout, /pushing manifest/);
  assert.match(r.stderr + r.stdout, /success/);
  // The registry now serves Ollama's manifest as is.
  const manifest = await fetch(`${reg.url}/v2/herd/stories/manifests/v1`, { headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } }).then((x) => x.json());
  assert.equal(manifest.layers[0].mediaType, "application/vnd.ollama.image.model");

  r = await cli("rm", name);
  assert.equal(r.code, 0, r.stderr);
  r = await cli("pull", name, "--insecure");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr + r.stdout, /pulling manifest/);
  assert.match(r.stderr + r.stdout, /verifying sha256 digest/);
  const after = (await cli("list")).stdout;
  assert.match(after, new RegExp(`^${name.replace(/[.]/g, "\\.")}\\s+${id}\\s`, "m"), "same ID after the round trip");

  r = await cli("run", name, "Once upon a time", "--insecure");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /there was a little/);

  r = await cli("pull", `${reg.host}/herd/missing:v1`, "--insecure");
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pull model manifest: file does not exist/);
});
