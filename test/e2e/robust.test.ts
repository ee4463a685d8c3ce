// What a request sends may not kill a runner or stall the server (issue 15), against one real
// `herd serve` on stories260K: hostile token ids, deep values, runner crashes and disconnects.
// Runner-independent: every check goes through HTTP and the process table, never an engine API.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { model } from "../../src/testing/fixtures.js";
import { createModel, runnerPids, type ServerHandle, startServer } from "./harness.js";

/** `{"a":{"a":…1…}}` nested `depth` deep. */
const deep = (depth: number) => '{"a":'.repeat(depth - 1) + "{}" + "}".repeat(depth - 1);

describe("herd serve under hostile requests", () => {
  let srv: ServerHandle;
  const post = (path: string, body: unknown, signal?: AbortSignal) =>
    fetch(srv.url + path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), signal });
  const generate = async (extra: Record<string, unknown> = {}) => {
    const r = await post("/api/generate", { model: "stories", prompt: "Once upon a time", stream: false, options: { temperature: 0, num_predict: 8 }, ...extra });
    return { status: r.status, body: await r.json() };
  };
  const runners = () => runnerPids(srv.pid);

  before(async () => {
    srv = await startServer({ OLLAMA_MAX_QUEUE: "8", OLLAMA_KEEP_ALIVE: "10m" });
    await createModel(srv.url, "stories", model("stories260K.gguf"));
    assert.equal((await generate()).status, 200);
  });
  after(async () => {
    await srv?.stop();
  });

  it("token ids outside the vocabulary are refused before a runner sees them; streams in flight go on", async () => {
    const before = runners();
    assert.equal(before.length, 1, "one runner loaded");
    const stream = await post("/api/generate", { model: "stories", prompt: "Once upon a time", options: { temperature: 0, num_predict: 400 } });
    const reader = stream.body!.getReader();
    await reader.read();
    for (const context of [[99999999], [-5], [2147483648], [1, 512]]) {
      const r = await generate({ context });
      assert.equal(r.status, 500, JSON.stringify(context));
      assert.match(r.body.error, /^invalid token id -?\d+: the model's vocabulary has 512 tokens/);
    }
    let text = "";
    for (let c = await reader.read(); !c.done; c = await reader.read()) text += new TextDecoder().decode(c.value);
    const last = JSON.parse(text.trim().split("\n").at(-1)!);
    assert.equal(last.done, true, "the stream in flight finished");
    assert.deepEqual(runners(), before, "the runner was never restarted");
    assert.equal((await generate({ context: [1, 2, 100] })).status, 200);
    const bad = await generate({ context: [0.5] });
    assert.deepEqual(bad, { status: 400, body: { error: "json: cannot unmarshal number 0.5 into Go struct field GenerateRequest.context of type int" } });
  });

  it("values nested 9,999 deep are a 400 or an answer, never a 500, on every dialect", async () => {
    const d = deep(9_999);
    const msg = '[{"role":"user","content":"hi"}]';
    const cases: [string, string][] = [
      ["/api/generate", `{"model":"stories","prompt":"x","stream":false,"format":${d}}`],
      ["/api/chat", `{"model":"stories","messages":${msg},"stream":false,"format":${d}}`],
      ["/api/chat", `{"model":"stories","messages":${msg},"stream":false,"tools":[{"type":"function","function":{"name":"f","parameters":${deep(9_995)}}}]}`],
      ["/api/chat", `{"model":"stories","stream":false,"messages":[{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":${deep(9_994)}}}]}]}`],
      ["/api/show", `{"model":"stories","options":${d}}`],
      ["/api/embed", `{"model":"stories","input":"x","options":${d}}`],
      ["/v1/chat/completions", `{"model":"stories","messages":${msg},"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":${deep(9_996)}}}}`],
      ["/v1/chat/completions", `{"model":"stories","messages":${msg},"tools":[{"type":"function","function":{"name":"f","parameters":${deep(9_995)}}}]}`],
      ["/v1/completions", `{"model":"stories","prompt":"x","max_tokens":2,"stop":${d}}`],
      ["/v1/responses", `{"model":"stories","input":"hi","text":{"format":{"type":"json_schema","name":"x","schema":${deep(9_996)}}}}`],
      ["/v1/messages", `{"model":"stories","max_tokens":4,"messages":${msg},"tools":[{"name":"f","input_schema":${deep(9_997)}}]}`],
      ["/v1/messages/count_tokens", `{"model":"stories","messages":${msg},"tools":[{"name":"f","input_schema":${deep(9_997)}}]}`],
      ["/v1/embeddings", `{"model":"stories","input":${d}}`],
      ["/api/rerank", `{"model":"stories","query":"q","documents":${d}}`],
    ];
    for (const [path, body] of cases) {
      const r = await post(path, body);
      const text = await r.text();
      assert.ok(r.status < 500, `${path} → ${r.status} ${text.slice(0, 200)}`);
      if (process.env.ROBUST_DEBUG) console.log(path, r.status, text.slice(0, 120));
    }
    assert.equal((await generate()).status, 200);
  });

  it("reranking a model that cannot rerank is a 400, without loading anything", async () => {
    const r = await post("/api/rerank", { model: "stories", query: "q", documents: ["a", "b"] });
    assert.equal(r.status, 400);
    assert.deepEqual(await r.json(), { error: '"stories" does not support reranking' });
  });

  it("requests for a loaded model wait for the runner, not against OLLAMA_MAX_QUEUE", async () => {
    const statuses = await Promise.all(Array.from({ length: 32 }, async () => (await generate()).status));
    assert.deepEqual(statuses, Array(32).fill(200));
  });

  // The runner has one slot: the next request is served only once the disconnect has stopped the first, which
  // would otherwise generate for minutes (the timeout fails the test then).
  it("a client that disconnects mid-stream stops its generation, and the runner serves the next request", { timeout: 30_000 }, async () => {
    const before = runners();
    const ac = new AbortController();
    const r = await post("/api/generate", { model: "stories", prompt: "Once", options: { num_predict: 1_000_000 } }, ac.signal);
    const reader = r.body!.getReader();
    await reader.read();
    ac.abort();
    await reader.read().catch(() => undefined);
    const next = await generate();
    assert.equal(next.status, 200);
    assert.ok(next.body.response.length > 0);
    assert.deepEqual(runners(), before);
  });

  // Nothing is streamed back here, so only the request's abort signal can tell the server the client left.
  it("a client that leaves a non-streamed request stops its generation", { timeout: 30_000 }, async () => {
    const ac = new AbortController();
    const left = post("/api/generate", { model: "stories", prompt: "Once", stream: false, options: { num_predict: 1_000_000, temperature: 0 } }, ac.signal).catch(() => "left");
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    assert.equal(await left, "left");
    const next = await generate();
    assert.equal(next.status, 200);
  });

  it("the request line of a client that hung up still names the client", async () => {
    // A raw socket that sends a request and closes, as curl does at its --max-time: the server's socket then
    // has no address any more when the response ends.
    const { port } = new URL(srv.url);
    const body = JSON.stringify({ model: "stories", prompt: "Once", stream: false, options: { num_predict: 1_000_000 } });
    const socket = connect(Number(port), "127.0.0.1");
    socket.write(`POST /api/generate?who=leaver HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    await new Promise((r) => setTimeout(r, 300));
    socket.destroy();
    await srv.waitForLog(/\| 200 \| +[\d.]+m?s \| +\S* \| POST     "\/api\/generate\?who=leaver"\n/);
    assert.match(srv.logs(), /\|       127\.0\.0\.1 \| POST     "\/api\/generate\?who=leaver"\n/);
  });

  it("a runner killed mid-request answers Ollama's 500 and the next request loads it again", { skip: !existsSync("/proc") }, async () => {
    const [pid] = runners();
    assert.ok(pid, "a runner is loaded");
    const r = await post("/api/generate", { model: "stories", prompt: "Once", options: { num_predict: 100000 } });
    const reader = r.body!.getReader();
    await reader.read();
    process.kill(pid, "SIGKILL");
    let text = "";
    for (let c = await reader.read(); !c.done; c = await reader.read()) text += new TextDecoder().decode(c.value);
    const last = JSON.parse(text.trim().split("\n").at(-1)!);
    assert.match(last.error, /^model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details/);
    const next = await generate();
    assert.equal(next.status, 200);
    const [again] = runners();
    assert.ok(again && again !== pid, "a new runner");
  });
});
