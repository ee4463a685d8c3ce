import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Message } from "../api/types.js";
import { chatMessages, fitMessages, generateMessages } from "./prompt.js";

const u = (content: string): Message => ({ role: "user", content });
const a = (content: string): Message => ({ role: "assistant", content });
const s = (content: string): Message => ({ role: "system", content });

describe("chatMessages", () => {
  it("prepends Modelfile MESSAGEs and SYSTEM", () => {
    assert.deepEqual(chatMessages("be kind", [u("hi"), a("hello")], [u("q")]), [s("be kind"), u("hi"), a("hello"), u("q")]);
  });
  it("leaves SYSTEM out when the request starts with a system message", () => {
    assert.deepEqual(chatMessages("be kind", [], [s("mine"), u("q")]), [s("mine"), u("q")]);
  });
});

describe("generateMessages", () => {
  it("uses the request system over the model's, MESSAGEs unless a context is given", () => {
    const base = { prompt: "p", modelSystem: "model sys", modelMessages: [u("m1"), a("m2")] };
    assert.deepEqual(generateMessages({ ...base, hasContext: false }), [s("model sys"), u("m1"), a("m2"), u("p")]);
    assert.deepEqual(generateMessages({ ...base, system: "req sys", hasContext: true }), [s("req sys"), u("p")]);
  });
});

describe("fitMessages", () => {
  // One token per character makes the arithmetic visible.
  const render = (msgs: Message[]) => msgs.map((m) => `${m.role[0]}:${m.content};`).join("");
  const countTokens = async (t: string) => t.length;

  it("keeps everything when it fits", async () => {
    const msgs = [s("sys"), u("aaaa"), a("bbbb"), u("cccc")];
    const r = await fitMessages({ messages: msgs, numCtx: 100, truncate: true, render, countTokens });
    assert.equal(r.dropped, 0);
    assert.equal(r.prompt, render(msgs));
  });

  it("drops the oldest non-system messages and keeps the systems and the last message", async () => {
    const msgs = [s("sys"), u("aaaa"), a("bbbb"), s("sys2"), u("cccc")];
    // Everything: 6+7+7+7+7 = 34. Without u(aaaa): 27. Without a(bbbb) too: 20.
    const r = await fitMessages({ messages: msgs, numCtx: 27, truncate: true, render, countTokens });
    assert.deepEqual(r.messages, [s("sys"), a("bbbb"), s("sys2"), u("cccc")]);
    assert.equal(r.dropped, 1);
    const r2 = await fitMessages({ messages: msgs, numCtx: 21, truncate: true, render, countTokens });
    assert.deepEqual(r2.messages, [s("sys"), s("sys2"), u("cccc")]);
  });

  it("always keeps the last message even when it alone is too long", async () => {
    const msgs = [u("aaaa"), u("a very long last message")];
    const r = await fitMessages({ messages: msgs, numCtx: 5, truncate: true, render, countTokens });
    assert.deepEqual(r.messages, [u("a very long last message")]);
  });

  it("keeps everything with truncate:false (the runner refuses it)", async () => {
    const msgs = [u("aaaa"), a("bbbb"), u("cccc")];
    const r = await fitMessages({ messages: msgs, numCtx: 5, truncate: false, render, countTokens });
    assert.equal(r.dropped, 0);
  });
});
