import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Client } from "../api/client.js";
import { ensureServer, serverLogPath, spawnBackgroundServer } from "./autostart.js";
import type { CliContext } from "./context.js";
import { ServerDownError } from "./context.js";
import { startFakeOllama } from "./repl/testing/fake-server.js";
import { freePort } from "../testing/net.js";

function context(url: string): CliContext & { err: string[] } {
  const err: string[] = [];
  const stderr = { write: (s: string) => err.push(s) } as unknown as NodeJS.WriteStream;
  return { client: new Client(url), baseUrl: url, env: {}, stdout: process.stdout, stderr, err };
}

test("no server: says so, starts one, and waits for its heartbeat", async () => {
  const port = await freePort();
  const ctx = context(`http://127.0.0.1:${port}`);
  let fake: ReturnType<typeof startFakeOllama> | undefined;
  let started = 0;
  await ensureServer(ctx, {
    start: () => {
      started++;
      // The server comes up a little later, as a real one would.
      fake = new Promise((resolve) => setTimeout(() => resolve(startFakeOllama({ models: {}, replies: [], port })), 300));
    },
  });
  assert.equal(started, 1);
  assert.deepEqual(ctx.err, ["Starting herd server...\n"]);
  await (await fake!).close();
});

test("a running server is used as is", async () => {
  const fake = await startFakeOllama({ models: {}, replies: [] });
  const ctx = context(fake.url);
  await ensureServer(ctx, { start: () => assert.fail("must not start a server") });
  assert.deepEqual(ctx.err, []);
  await fake.close();
});

test("a server that never comes up ends in the usual could-not-connect error", async () => {
  const ctx = context(`http://127.0.0.1:${await freePort()}`);
  await assert.rejects(ensureServer(ctx, { start: () => {}, timeoutMs: 300 }), ServerDownError);
});

test("the background server is this executable with `serve`, logging to ~/.ollama/logs/server.log", async () => {
  const home = mkdtempSync(join(tmpdir(), "herd-autostart-"));
  const script = join(home, "fake-herd.mjs");
  writeFileSync(script, `console.log("args:", process.argv.slice(2).join(" "));\n`);
  const saved = process.argv[1];
  process.argv[1] = script;
  try {
    assert.equal(serverLogPath({ HOME: home }), join(home, ".ollama", "logs", "server.log"));
    spawnBackgroundServer({ HOME: home, PATH: process.env.PATH });
  } finally {
    process.argv[1] = saved;
  }
  const log = serverLogPath({ HOME: home });
  const deadline = Date.now() + 15_000;
  while (!(existsSync(log) && readFileSync(log, "utf8").includes("args:")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(readFileSync(log, "utf8"), "args: serve\n");
  rmSync(home, { recursive: true, force: true });
});
