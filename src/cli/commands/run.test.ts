// `herd run` end to end: the real CLI process against a scripted fake server (OLLAMA_HOST).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { FINAL_METRICS, type FakeReply, type FakeServer, startFakeOllama } from "../repl/testing/fake-server.js";
import { runCli } from "../repl/testing/spawn-cli.js";
import { modelNameForFile, parseThinkFlag } from "./run.js";

const home = mkdtempSync(join(tmpdir(), "herd-run-"));
after(() => rmSync(home, { recursive: true, force: true }));

const MODELS = {
  tiny: { capabilities: ["completion"] },
  thinker: { capabilities: ["completion", "thinking"] },
  embedder: { capabilities: ["embedding"] },
};

/** Each test gets its own fake server, so the tests (each spawning the CLI) can run side by side. */
async function withFake(replies: FakeReply[], fn: (fake: FakeServer, env: NodeJS.ProcessEnv) => Promise<void>): Promise<void> {
  const fake = await startFakeOllama({ models: structuredClone(MODELS), pullable: { fresh: { capabilities: ["completion"] } }, replies });
  try {
    await fn(fake, { PATH: process.env.PATH, HOME: home, OLLAMA_HOST: fake.url });
  } finally {
    await fake.close();
  }
}

describe("herd run (one-shot)", { concurrency: 3 }, () => {
  test("one-shot with prompt words streams the answer, plain, then a blank line", async () =>
    withFake([{ content: ["Once", " upon", " a time"] }], async (fake, env) => {
    const r = await runCli(["run", "tiny", "hello", "world"], { env });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "Once upon a time\n\n");
    const gen = fake.requests.filter((q) => q.path === "/api/generate");
    assert.equal(gen.length, 1);
    assert.equal(gen[0].body.prompt, "hello world");
    assert.equal(gen[0].body.think, undefined);
    }));

  test("piped stdin is prepended to the prompt words", async () =>
    withFake([{ content: ["ok"] }], async (fake, env) => {
    const r = await runCli(["run", "tiny", "Summarize:"], { env, stdin: "line one\nline two\n" });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "ok\n\n");
    const gen = fake.requests.find((q) => q.path === "/api/generate")!;
    assert.equal(gen.body.prompt, "line one\nline two\n Summarize:");
    }));

  test("--verbose prints Ollama's stats to stderr; --format json and --keepalive reach the request", async () =>
    withFake([{ content: ["{}"] }], async (fake, env) => {
    const r = await runCli(["run", "tiny", "--verbose", "--format", "json", "--keepalive", "10m", "hi"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "{}\n\n");
    assert.match(r.stderr, /^total duration:       4\.935886791s\nload duration:        534\.986708ms\nprompt eval count:    26 token\(s\)\n/);
    assert.match(r.stderr, /prompt eval rate:     242\.21 tokens\/s\neval count:           237 token\(s\)\neval duration:        4\.289432s\neval rate:            55\.25 tokens\/s\n$/);
    const gen = fake.requests.find((q) => q.path === "/api/generate")!;
    assert.equal(gen.body.format, "json");
    assert.equal(gen.body.keep_alive, "10m");
    assert.equal(FINAL_METRICS.eval_count, 237);
    }));

  test("a missing model is pulled, then run", async () =>
    withFake([{ content: ["pulled and running"] }], async (fake, env) => {
    const r = await runCli(["run", "fresh", "go"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "pulled and running\n\n");
    assert.match(r.stderr, /pulling manifest/);
    assert.match(r.stderr, /success/);
    assert.deepEqual(
      fake.requests.map((q) => q.path),
      ["/api/show", "/api/pull", "/api/show", "/api/generate"],
    );
    }));

  test("an unknown model that cannot be pulled fails with the pull error", async () =>
    withFake([], async (fake, env) => {
    const r = await runCli(["run", "nosuch", "go"], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error: pull model manifest: file does not exist/);
    }));

  test("thinking models think by default and the thinking is framed; --hidethinking hides it", async () =>
    withFake([{ thinking: ["Hmm,", " sky."], content: ["Blue."] }, { thinking: ["secret"], content: ["Blue."] }], async (fake, env) => {
    const r = await runCli(["run", "thinker", "why?"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Thinking...\nHmm, sky.\n...done thinking.\n\nBlue.\n\n");
    assert.equal(fake.requests.find((q) => q.path === "/api/generate")!.body.think, true);
    const hidden = await runCli(["run", "thinker", "--hidethinking", "--think=high", "why?"], { env });
    assert.equal(hidden.stdout, "Blue.\n\n");
    assert.equal(fake.requests.filter((q) => q.path === "/api/generate")[1].body.think, "high");
    }));

  test("embedding models print the vector as JSON", async () =>
    withFake([], async (fake, env) => {
    const r = await runCli(["run", "embedder", "--dimensions", "3", "some text"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "[0.25,-0.5,0.125]\n");
    const req = fake.requests.find((q) => q.path === "/api/embed")!;
    assert.deepEqual(req.body, { model: "embedder", input: "some text", dimensions: 3 });
    const none = await runCli(["run", "embedder"], { env });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /embedding models require input text/);
    }));

  test("a .gguf path is uploaded and created as a model named after the file", async () =>
    withFake([{ content: ["imported"] }], async (fake, env) => {
    const file = join(home, "My Model_Q4.gguf");
    writeFileSync(file, "GGUF fake bytes");
    const r = await runCli(["run", file, "hi"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "imported\n\n");
    const create = fake.requests.find((q) => q.path === "/api/create")!;
    assert.equal(create.body.model, "my-model_q4");
    const digest = (create.body.files as Record<string, string>)["model.gguf"];
    assert.equal(digest, "sha256:" + (await import("node:crypto")).createHash("sha256").update("GGUF fake bytes").digest("hex"));
    assert.ok(fake.requests.some((q) => q.path === `/api/blobs/${digest}`));
    assert.equal(fake.requests.find((q) => q.path === "/api/generate")!.body.model, "my-model_q4");
    }));

  test("a .gguf path that is not there says so, and asks the server for nothing", async () =>
    withFake([], async (fake, env) => {
    const r = await runCli(["run", "./missing.gguf", "hi"], { env });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "Error: open ./missing.gguf: no such file\n");
    assert.ok(!fake.requests.some((q) => q.path === "/api/pull" || q.path === "/api/show"));
    }));

  test("flag and name helpers", () => {
    assert.equal(parseThinkFlag(true), true);
    assert.equal(parseThinkFlag("false"), false);
    assert.equal(parseThinkFlag("low"), "low");
    assert.throws(() => parseThinkFlag("loud"), /invalid value for --think: "loud"/);
    assert.equal(modelNameForFile("/x/Llama-3.2 (1B).GGUF"), "llama-3.2--1b-");
  });
});
