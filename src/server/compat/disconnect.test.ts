// A client that goes away mid-stream must abort the signal the engine generates under.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatRequest, ChatResponse } from "../../api/types.js";
import { chatChunk, FakeBackend } from "./testing/fake-backend.js";
import { serveCompat } from "./testing/serve-for-test.js";

class EndlessBackend extends FakeBackend {
  readonly aborted: Promise<void>;
  private resolveAborted!: () => void;
  constructor() {
    super();
    this.aborted = new Promise((r) => (this.resolveAborted = r));
  }
  override chat(_req: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatResponse[]> {
    const self = this;
    return (async function* () {
      signal?.addEventListener("abort", () => self.resolveAborted(), { once: true });
      while (!signal?.aborted) {
        yield [chatChunk({ content: "x" })];
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
  }
}

for (const [path, body] of [
  ["/v1/chat/completions", { model: "m", stream: true, messages: [{ role: "user", content: "go" }] }],
  ["/v1/messages", { model: "m", max_tokens: 9, stream: true, messages: [{ role: "user", content: "go" }] }],
] as const) {
  test(`disconnecting from ${path} aborts generation`, async () => {
    const backend = new EndlessBackend();
    const server = await serveCompat(backend);
    try {
      const ctl = new AbortController();
      const res = await fetch(server.url + path, { method: "POST", body: JSON.stringify(body), signal: ctl.signal });
      const reader = res.body!.getReader();
      await reader.read();
      ctl.abort();
      await Promise.race([
        backend.aborted,
        new Promise((_, reject) => setTimeout(() => reject(new Error("engine was not aborted")), 10000)),
      ]);
      assert.ok(true);
    } finally {
      await server.close();
    }
  });
}
