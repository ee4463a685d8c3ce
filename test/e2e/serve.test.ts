// End to end: a real `herd serve` process driven by the real CLI and the official `ollama` npm client.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import test from "node:test";
import { Ollama } from "ollama";
import { model } from "../../src/testing/fixtures.js";
import { HERD_BIN, runCli, startServer } from "./harness.js";

test("herd serve + CLI + ollama-js: create, list, show, run, ps, copy, stop, delete", async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const cli = (...args: string[]) => runCli(args, { env: srv.env, cwd: srv.home });

  writeFileSync(join(srv.home, "Modelfile"), `FROM ${model("stories260K.gguf")}\nPARAMETER temperature 0\nPARAMETER num_predict 12\nSYSTEM """You tell stories."""\n`);
  let r = await cli("create", "stories", "-f", join(srv.home, "Modelfile"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /success/);
  // Piped output carries no escape codes.
  assert.doesNotMatch(r.stdout + r.stderr, /\x1b\[/);

  r = await cli("list");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+ID\s+SIZE\s+MODIFIED\s*$/m);
  assert.match(r.stdout, /^stories:latest\s+[0-9a-f]{12}\s+1\.2 MB\s+(Less than a second|\d+ seconds?) ago$/m);

  r = await cli("show", "stories");
  assert.match(r.stdout, /architecture\s+llama/);
  assert.match(r.stdout, /Capabilities\n\s+completion/);
  r = await cli("show", "stories", "--parameters");
  assert.match(r.stdout, /^temperature\s+0$/m);
  r = await cli("show", "stories", "--modelfile");
  assert.match(r.stdout, /^# FROM stories:latest$/m);
  assert.match(r.stdout, /^SYSTEM You tell stories\.$/m);

  r = await cli("run", "stories", "Once upon a time");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /there was a little girl/);

  r = await cli("ps");
  assert.match(r.stdout, /^stories:latest\s+[0-9a-f]{12}\s+.*100% CPU\s+\d+\s+\d+ minutes? from now$/m);

  const ollama = new Ollama({ host: srv.url });
  await ollama.create({ model: "teller", from: "stories", system: "Short stories only." });
  const list = await ollama.list();
  assert.deepEqual(list.models.map((m) => m.name).sort(), ["stories:latest", "teller:latest"]);
  const shown = await ollama.show({ model: "teller" });
  assert.equal(shown.system, "Short stories only.");
  assert.equal(shown.details.family, "llama");
  await ollama.copy({ source: "teller", destination: "teller2" });
  await ollama.delete({ model: "teller" });
  await assert.rejects(ollama.show({ model: "teller" }), /not found/);

  r = await cli("stop", "stories");
  assert.equal(r.code, 0, r.stderr);
  r = await cli("ps");
  assert.doesNotMatch(r.stdout, /stories/);

  r = await cli("cp", "stories", "copy1");
  assert.equal(r.stdout, "copied 'stories' to 'copy1'\n");
  r = await cli("rm", "copy1", "teller2");
  assert.equal(r.stdout, "deleted 'copy1'\ndeleted 'teller2'\n");
  r = await cli("rm", "nope");
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /model 'nope' not found/);
});

test("the CLI says clearly when no server is running", async () => {
  const r = await runCli(["list"], { env: { ...process.env, OLLAMA_HOST: "127.0.0.1:9" } });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /could not connect to herd server at http:\/\/127\.0\.0\.1:9, run 'herd serve' to start it/);
});

test("an idle keep-alive connection stays open past 5 s, as Ollama's does (httpx and requests reuse theirs)", async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const { port } = new URL(srv.url);
  const sock = connect(Number(port), "127.0.0.1");
  t.after(() => sock.destroy());
  let received = "";
  let closed = false;
  sock.setEncoding("utf8");
  sock.on("data", (d: string) => (received += d));
  sock.on("close", () => (closed = true));
  const answers = async (n: number) => {
    const deadline = Date.now() + 10_000;
    while ((received.match(/Ollama is running/g) ?? []).length < n && !closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return (received.match(/Ollama is running/g) ?? []).length;
  };
  const ask = () => sock.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
  ask();
  assert.equal(await answers(1), 1);
  // Node's default would close the socket after 5 s idle.
  await new Promise((r) => setTimeout(r, 6_000));
  assert.equal(closed, false, "the server closed an idle keep-alive connection");
  ask();
  assert.equal(await answers(2), 2);
});

test("OLLAMA_KV_CACHE_TYPE: Ollama's warning without flash attention; with it, a model its blocks do not fit still loads", async (t) => {
  const plain = await startServer({ OLLAMA_KV_CACHE_TYPE: "q8_0" });
  t.after(() => plain.stop());
  assert.match(plain.logs(), /OLLAMA_FLASH_ATTENTION must be enabled to use a quantized OLLAMA_KV_CACHE_TYPE \(type q8_0\); using f16/);

  const srv = await startServer({ OLLAMA_KV_CACHE_TYPE: "q8_0", OLLAMA_FLASH_ATTENTION: "1" });
  t.after(() => srv.stop());
  assert.doesNotMatch(srv.logs(), /WARN.*OLLAMA_KV_CACHE_TYPE/);
  writeFileSync(join(srv.home, "Modelfile"), `FROM ${model("stories260K.gguf")}\n`);
  const created = await runCli(["create", "stories", "-f", join(srv.home, "Modelfile")], { env: srv.env, cwd: srv.home });
  assert.equal(created.code, 0, created.stderr);
  const res = await new Ollama({ host: srv.url }).generate({ model: "stories", prompt: "Once upon a time", raw: true, options: { temperature: 0, num_predict: 4 } });
  assert.match(res.response ?? "", /^, there/);
  // stories260K's 8-wide heads take no 32-value blocks: the runner says so in the server log and keeps f16.
  await srv.waitForLog(/KV cache type q8_0 does not fit this model \(.*\); using f16/);
});

test("the server log has Ollama's lines: its config, each load, each request, and a prompt or chat history cut to fit num_ctx", async (t) => {
  const srv = await startServer({ OLLAMA_DEBUG: "1" });
  t.after(() => srv.stop());
  writeFileSync(join(srv.home, "Modelfile"), `FROM ${model("stories260K.gguf")}\nPARAMETER num_ctx 64\nTEMPLATE """{{ range .Messages }}{{ .Content }} {{ end }}"""\n`);
  assert.equal((await runCli(["create", "small", "-f", join(srv.home, "Modelfile")], { env: srv.env, cwd: srv.home })).code, 0);
  const ollama = new Ollama({ host: srv.url });
  const long = "Once upon a time there was a dog. ".repeat(10);
  await ollama.generate({ model: "small", prompt: long, raw: true, options: { num_predict: 1 } });
  // Ollama's num_keep 4, plus the BOS token; 64 − (64 − 4) / 2 = 34 tokens kept.
  assert.match(srv.logs(), /level=INFO msg="server config" env="map\[HTTPS_PROXY: .* OLLAMA_DEBUG:DEBUG .*OLLAMA_NUM_PARALLEL:1 .*\]"\n/);
  assert.match(srv.logs(), /level=INFO msg="total blobs: 0"\n.*level=INFO msg="total unused blobs removed: 0"\n/s);
  await srv.waitForLog(/level=INFO msg="llama runner started in \d+\.\d\d seconds"\n/);
  await srv.waitForLog(/level=WARN msg="truncating input prompt" source=runner limit=34 prompt=1\d\d keep=5 new=34\n/);
  const turn = (content: string) => ({ role: "user", content });
  await ollama.chat({ model: "small", messages: [turn(long), turn(long), turn("Once upon a time")], options: { num_predict: 1 } });
  await srv.waitForLog(/level=DEBUG msg="truncating input messages which exceed context length" truncated=2\n/);
  // With OLLAMA_DEBUG, the prompt as rendered (the chat's two long turns dropped), as Ollama logs it.
  await srv.waitForLog(/level=DEBUG msg="chat request" images=0 prompt="Once upon a time "\n/);
  await srv.waitForLog(/level=DEBUG msg="generate request" images=0 prompt="Once upon a time there was a dog\. /);
  // Every request has gin's line, as in Ollama's log.
  await srv.waitForLog(/\[GIN\] \d{4}\/\d\d\/\d\d - [\d:]{8} \| 200 \| +[\d.]+m?s \| +127\.0\.0\.1 \| POST     "\/api\/chat"\n/);
});

test("`herd run … | head`: the CLI ends quietly when its reader closes the pipe, as Ollama's does (SIGPIPE status)", async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  writeFileSync(join(srv.home, "Modelfile"), `FROM ${model("stories260K.gguf")}\n`);
  assert.equal((await runCli(["create", "stories", "-f", join(srv.home, "Modelfile")], { env: srv.env, cwd: srv.home })).code, 0);
  // A long generation whose reader takes the first bytes and goes away.
  const child = spawn(process.execPath, [HERD_BIN, "run", "stories", "Once upon a time"], { env: { ...srv.env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.once("data", () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  assert.equal(code, 141, stderr);
  assert.equal(stderr, "");
});
