import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatResponse } from "../../../api/types.js";
import { chatChunk, doneChunk } from "../testing/fake-backend.js";
import { foldChat } from "../../fold.js";
import { ChatChunkTranslator, toChatCompletion, type OpenAIChatChunk } from "./chat-response.js";

function run(chunks: ChatResponse[], includeUsage = false): OpenAIChatChunk[] {
  const t = new ChatChunkTranslator("chatcmpl-7", includeUsage);
  return chunks.flatMap((c) => t.translate(c));
}

const deltas = (out: OpenAIChatChunk[]) => out.map((c) => (c.choices[0] ? [c.choices[0].delta, c.choices[0].finish_reason] : ["usage", c.usage]));

test("native chunks → OpenAI chunks (table)", () => {
  const cases: { name: string; chunks: ChatResponse[]; usage?: boolean; expect: unknown[] }[] = [
    {
      name: "content, then a separate finish chunk",
      chunks: [chatChunk({ content: "Hel" }), chatChunk({ content: "lo" }), doneChunk()],
      expect: [
        [{ role: "assistant", content: "Hel" }, null],
        [{ content: "lo" }, null],
        [{}, "stop"],
      ],
    },
    {
      name: "thinking alone keeps content \"\"; a chunk with both is split, reasoning first",
      chunks: [chatChunk({ thinking: "hmm" }), chatChunk({ thinking: " ok", content: "Hi" }), doneChunk({ done_reason: "length" })],
      expect: [
        [{ role: "assistant", content: "", reasoning: "hmm" }, null],
        [{ reasoning: " ok" }, null],
        [{ content: "Hi" }, null],
        [{}, "length"],
      ],
    },
    {
      name: "tool calls: arguments as a JSON string, running index, finish_reason tool_calls",
      chunks: [
        chatChunk({ tool_calls: [{ id: "call_a", function: { index: 0, name: "f", arguments: { a: 1 } } }] }),
        chatChunk({ tool_calls: [{ id: "call_b", function: { index: 0, name: "g", arguments: {} } }] }),
        doneChunk(),
      ],
      expect: [
        [{ role: "assistant", content: "", tool_calls: [{ id: "call_a", index: 0, type: "function", function: { name: "f", arguments: '{"a":1}' } }] }, null],
        [{ content: "", tool_calls: [{ id: "call_b", index: 1, type: "function", function: { name: "g", arguments: "{}" } }] }, null],
        [{}, "tool_calls"],
      ],
    },
    {
      name: "tool calls on the final native chunk (native path) are emitted before the finish chunk",
      chunks: [doneChunk({ message: { role: "assistant", content: "", tool_calls: [{ id: "call_z", function: { name: "f", arguments: { x: "y" } } }] } })],
      expect: [
        [{ role: "assistant", content: "", tool_calls: [{ id: "call_z", index: 0, type: "function", function: { name: "f", arguments: '{"x":"y"}' } }] }, null],
        [{}, "tool_calls"],
      ],
    },
    {
      name: "include_usage adds a choices:[] usage chunk from the native counts",
      chunks: [chatChunk({ content: "a" }), doneChunk({ prompt_eval_count: 10, eval_count: 2 })],
      usage: true,
      expect: [
        [{ role: "assistant", content: "a" }, null],
        [{}, "stop"],
        ["usage", { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }],
      ],
    },
  ];
  for (const c of cases) assert.deepEqual(deltas(run(c.chunks, c.usage)), c.expect, c.name);
});

test("every chunk shares one id, created and fp_ollama", () => {
  const out = run([chatChunk({ content: "a" }), chatChunk({ content: "b" }, { created_at: "2030-01-01T00:00:00Z" }), doneChunk()], true);
  assert.equal(new Set(out.map((c) => c.id)).size, 1);
  assert.equal(out[0].id, "chatcmpl-7");
  assert.equal(new Set(out.map((c) => c.created)).size, 1);
  assert.equal(out[0].created, Date.parse("2026-08-21T10:00:00Z") / 1000);
  assert.ok(out.every((c) => c.system_fingerprint === "fp_ollama" && c.object === "chat.completion.chunk"));
});

test("logprobs ride on the content chunk", () => {
  const lp = [{ token: "a", logprob: -0.1, top_logprobs: [{ token: "a", logprob: -0.1 }] }];
  const out = run([chatChunk({ content: "a" }, { logprobs: lp }), doneChunk()]);
  assert.deepEqual(out[0].choices[0].logprobs, { content: lp });
});

/** Each item a batch of its own. */
async function* from<T>(items: T[]): AsyncGenerator<T[]> {
  for (const item of items) yield [item];
}

test("non-stream body folds the stream; usage from native counts", async () => {
  const folded = await foldChat(
    from([chatChunk({ thinking: "think" }), chatChunk({ content: "Hello" }), chatChunk({ content: " you" }), doneChunk({ prompt_eval_count: 5, eval_count: 2 })]),
  );
  const body = toChatCompletion("chatcmpl-1", folded);
  assert.equal(body.object, "chat.completion");
  assert.deepEqual(body.choices, [{ index: 0, message: { role: "assistant", content: "Hello you", reasoning: "think" }, finish_reason: "stop" }]);
  assert.deepEqual(body.usage, { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });

  const withTools = toChatCompletion(
    "chatcmpl-2",
    await foldChat(from([chatChunk({ tool_calls: [{ function: { name: "f", arguments: { q: 1 } } }] }), doneChunk()])),
  );
  const call = withTools.choices[0].message.tool_calls![0];
  assert.match(call.id, /^call_[a-z0-9]{8}$/);
  assert.deepEqual({ ...call, id: "" }, { id: "", index: 0, type: "function", function: { name: "f", arguments: '{"q":1}' } });
  assert.equal(withTools.choices[0].finish_reason, "tool_calls");
});
