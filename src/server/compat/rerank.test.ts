import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BadRequestError } from "../../util/errors.js";
import { FakeBackend } from "./testing/fake-backend.js";
import { parseRerankRequest, rankResults } from "./rerank.js";
import { serveCompat, type TestServer } from "./testing/serve-for-test.js";

test("ranking sorts by score, keeps ties in document order, cuts to top_n", () => {
  const parsed = parseRerankRequest({ model: "m", query: "q", documents: ["a", { text: "b" }, "c"], top_n: 2 });
  const ranked = rankResults(
    [
      { index: 0, relevance_score: 0.1 },
      { index: 1, relevance_score: 0.9 },
      { index: 2, relevance_score: 0.9 },
    ],
    parsed,
  );
  assert.deepEqual(ranked, [
    { index: 1, relevance_score: 0.9, document: { text: "b" } },
    { index: 2, relevance_score: 0.9, document: { text: "c" } },
  ]);
  const bare = parseRerankRequest({ model: "m", query: "q", documents: ["a"], return_documents: false });
  assert.deepEqual(rankResults([{ index: 0, relevance_score: 1 }], bare), [{ index: 0, relevance_score: 1 }]);
  assert.throws(() => parseRerankRequest({ model: "m", query: "q", documents: [] }), BadRequestError);
  assert.throws(() => parseRerankRequest({ model: "m", query: "q", documents: ["a"], top_n: 0 }), BadRequestError);
});

const scored = new FakeBackend({
  rerank: (req) => req.documents.map((d, index) => ({ index, relevance_score: d.includes(req.query) ? 0.9 : 0.1 })),
});
const unsupported = new FakeBackend();
let a: TestServer;
let b: TestServer;
before(async () => {
  a = await serveCompat(scored);
  b = await serveCompat(unsupported);
});
after(async () => {
  await a.close();
  await b.close();
});

async function post(url: string, body: unknown) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

test("/api/rerank and /v1/rerank answer in the Jina/Cohere shape", async () => {
  const req = { model: "m", query: "cat", documents: ["dogs bark", "a cat sleeps"], top_n: 1 };
  for (const path of ["/api/rerank", "/v1/rerank"]) {
    const res = await post(a.url + path, req);
    assert.equal(res.status, 200, path);
    assert.deepEqual(res.body, { model: "m", results: [{ index: 1, relevance_score: 0.9, document: { text: "a cat sleeps" } }] });
  }
});

test("rerank errors: dialect shapes, 404 model, 501 without a reranker", async () => {
  assert.deepEqual(await post(a.url + "/api/rerank", { model: "x", query: "q", documents: ["a"] }), { status: 404, body: { error: "model 'x' not found" } });
  const v1 = await post(a.url + "/v1/rerank", { model: "m", documents: ["a"] });
  assert.equal(v1.status, 400);
  assert.deepEqual(v1.body, { error: { message: "query is required", type: "invalid_request_error", param: null, code: null } });
  const none = await post(b.url + "/api/rerank", { model: "m", query: "q", documents: ["a"] });
  assert.deepEqual(none, { status: 501, body: { error: "reranking is not supported by this server" } });
});
