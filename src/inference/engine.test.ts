// Inference on the real engine (herd's binding, a child runner per model) through the real scheduler, with the
// fixture models in a temp store.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ChatResponse, GenerateRequest, GenerateResponse } from "../api/types.js";
import { createEngineRunner, estimateMemory } from "../runner/index.js";
import type { CompletionChunk, CompletionRequest, Runner, Timings } from "../runner/types.js";
import { Scheduler } from "../scheduler/index.js";
import { model } from "../testing/fixtures.js";
import { Inference } from "./index.js";
import { collect, createTestStore, type TestStore } from "./testing.js";

const text = (chunks: GenerateResponse[]) => chunks.map((c) => c.response).join("");

describe("Inference on the real engine", () => {
  let ts: TestStore;
  let scheduler: Scheduler;
  let inference: Inference;
  const timings: Timings[] = [];
  const embedCalls: string[][] = [];

  // Records what reaches the engine: the timings of each completion and each embed batch.
  async function recordingRunner(opts: Parameters<typeof createEngineRunner>[0], signal?: AbortSignal): Promise<Runner> {
    const runner = await createEngineRunner(opts, signal);
    const complete = runner.complete.bind(runner);
    const embed = runner.embed.bind(runner);
    return Object.assign(Object.create(runner) as Runner, {
      complete: async function* (req: CompletionRequest): AsyncIterable<CompletionChunk> {
        for await (const chunk of complete(req)) {
          if (chunk.type === "done") timings.push(chunk.timings);
          yield chunk;
        }
      },
      embed: (inputs: string[], o?: { truncate?: boolean; signal?: AbortSignal }) => {
        embedCalls.push(inputs);
        return embed(inputs, o);
      },
      close: () => runner.close(),
    });
  }

  before(async () => {
    ts = await createTestStore(
      { name: "stories", gguf: model("stories260K.gguf") },
      { name: "chatml", gguf: model("stories260K-chatml.gguf") },
      { name: "bert", gguf: model("synthetic/bert-embed-synthetic.gguf") },
      { name: "reranker", gguf: model("synthetic/bert-rerank-synthetic.gguf") },
    );
    scheduler = new Scheduler({
      createRunner: recordingRunner,
      estimateMemory,
      maxLoadedModels: 3,
      maxQueue: 16,
      defaultKeepAliveMs: 300_000,
      availableMemory: () => 8e9,
    });
    inference = new Inference({ store: ts.store, scheduler, defaults: { contextLength: 0, goTemplate: true } });
  });
  after(async () => {
    await scheduler.unloadAll();
    ts.cleanup();
  });

  const greedy = (over: Partial<GenerateRequest> = {}): GenerateRequest => ({
    model: "stories",
    prompt: "Once upon a time",
    raw: true,
    options: { temperature: 0, num_predict: 24, num_ctx: 256 },
    ...over,
  });

  it("generates stories260K's greedy continuation, streamed incrementally", async () => {
    const chunks = await collect(inference.generate(greedy()));
    assert.ok(text(chunks).startsWith(", there was a little girl named Lily. She loved to play"), text(chunks));
    // Streamed: the first token comes alone, the rest in the runner's small batches, then the final chunk.
    assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
    assert.equal(chunks[0].response.length > 0 && chunks[0].done, false);
    const final = chunks.at(-1)!;
    assert.equal(final.done, true);
    assert.equal(final.done_reason, "length");
    assert.equal(final.eval_count, 24);
    assert.ok(final.prompt_eval_count! >= 5);
    for (const k of ["total_duration", "load_duration", "prompt_eval_duration", "eval_duration"] as const) {
      assert.ok(Number.isInteger(final[k]) && final[k]! > 0, k);
    }
    assert.equal(final.context, undefined, "raw: no context");
    // The same request again (what `stream:false` folds) gives the same text.
    assert.equal(text(await collect(inference.generate(greedy()))), text(chunks));
  });

  it("honours num_predict, stop strings and seeds", async () => {
    const five = (await collect(inference.generate(greedy({ options: { temperature: 0, num_predict: 5, num_ctx: 256 } })))).at(-1)!;
    assert.equal(five.done_reason, "length");
    assert.equal(five.eval_count, 5);

    const stopped = await collect(inference.generate(greedy({ options: { temperature: 0, num_ctx: 256, stop: ["Lily"] } })));
    assert.equal(text(stopped), ", there was a little girl named ");
    assert.equal(stopped.at(-1)!.done_reason, "stop");

    const seeded = () => collect(inference.generate(greedy({ options: { temperature: 1.2, seed: 42, num_predict: 24, num_ctx: 256 } })));
    assert.equal(text(await seeded()), text(await seeded()));
  });

  it("stops generating when the client aborts, and the model stays usable", async () => {
    const ctrl = new AbortController();
    const seen: GenerateResponse[] = [];
    let batches = 0;
    const run = async () => {
      // stories260K never ends a story on its own: only the abort can end this one before num_predict.
      for await (const batch of inference.generate(greedy({ options: { temperature: 0, num_predict: 20000, num_ctx: 256 } }), ctrl.signal)) {
        seen.push(...batch);
        if (++batches === 2) ctrl.abort();
      }
    };
    await run().catch((err: Error) => assert.equal(err.name, "CanceledError"));
    assert.ok(!seen.some((c) => c.done), "no final chunk after the abort");
    assert.ok(seen.length < 2000, `stopped after ${seen.length} tokens`);
    assert.ok(!seen.some((c) => c.done && c.eval_count === 200));
    const after = await collect(inference.generate(greedy({ options: { temperature: 0, num_predict: 3, num_ctx: 256 } })));
    assert.equal(after.at(-1)!.eval_count, 3);
  });

  it("returns the context and constrains format json", async () => {
    const chunks = await collect(inference.generate({ model: "stories", prompt: "Once upon a time", options: { temperature: 0, num_predict: 8, num_ctx: 256 } }));
    const final = chunks.at(-1)!;
    assert.equal(final.context!.length, final.prompt_eval_count! + final.eval_count!);
    assert.equal(final.context![0], 1, "BOS");

    const format = { type: "object", properties: { a: { type: "boolean" } }, required: ["a"] };
    const json = await collect(inference.generate(greedy({ format, options: { temperature: 0, num_predict: 60, num_ctx: 256 } })));
    assert.equal(typeof JSON.parse(text(json)).a, "boolean");
  });

  it("enforces a schema's integer range through the runner: 2..9 never yields -30", async () => {
    const format = { type: "object", properties: { age: { type: "integer", minimum: 2, maximum: 9 } }, required: ["age"], additionalProperties: false };
    for (let seed = 1; seed <= 4; seed++) {
      const out = await collect(inference.generate(greedy({ format, options: { temperature: 1.5, seed, num_predict: 60, num_ctx: 256 } })));
      const { age } = JSON.parse(text(out)) as { age: number };
      assert.ok(Number.isInteger(age) && age >= 2 && age <= 9, `seed ${seed}: ${text(out)}`);
    }
  });

  it("renders the ChatML Jinja template and chats; a second turn evaluates only its new tokens", async () => {
    const options = { temperature: 0, num_predict: 16, num_ctx: 1024 };
    const first = { role: "user", content: "Tell me a story." };
    const [debug] = await collect(inference.chat({ model: "chatml", messages: [first], options, _debug_render_only: true }));
    assert.equal(debug._debug_info!.rendered_template, "<|im_start|>user\nTell me a story.<|im_end|>\n<|im_start|>assistant\n");
    assert.equal(await inference.countChatTokens({ model: "chatml", messages: [first], options }), 50, "BOS + 49 prompt tokens");

    const turn1: ChatResponse[] = await collect(inference.chat({ model: "chatml", messages: [first], options }));
    const reply = turn1.map((c) => c.message.content).join("");
    assert.ok(reply.length > 0);
    assert.ok(turn1.every((c) => c.message.role === "assistant"));
    const end1 = turn1.at(-1)!;
    assert.equal(end1.prompt_eval_count, 50);

    const second = [first, { role: "assistant", content: reply }, { role: "user", content: "And then?" }];
    const turn2 = await collect(inference.chat({ model: "chatml", messages: second, options }));
    const t2 = timings.at(-1)!;
    assert.equal(turn2.at(-1)!.prompt_eval_count, t2.promptTokens, "prompt_eval_count counts cached tokens");
    assert.ok(t2.promptTokens > 50);
    assert.ok(t2.promptEvaluated <= t2.promptTokens - 50, `evaluated ${t2.promptEvaluated} of ${t2.promptTokens}`);
  });

  it("drops old chat turns to fit num_ctx, or refuses with truncate:false", async () => {
    const long = "The dog ran to the park and played with a ball. ".repeat(12);
    const messages = [
      { role: "system", content: "Stories." },
      { role: "user", content: long },
      { role: "assistant", content: long },
      { role: "user", content: "Once upon a time" },
    ];
    const options = { temperature: 0, num_predict: 4, num_ctx: 256 };
    const [debug] = await collect(inference.chat({ model: "stories", messages, options, _debug_render_only: true }));
    assert.equal(
      debug._debug_info!.rendered_template,
      "<|im_start|>system\nStories.<|im_end|>\n<|im_start|>user\nOnce upon a time<|im_end|>\n<|im_start|>assistant\n",
      "ChatML fallback, system kept, old turns dropped",
    );
    const ok = await collect(inference.chat({ model: "stories", messages, options }));
    assert.equal(ok.at(-1)!.done, true);
    await assert.rejects(collect(inference.chat({ model: "stories", messages, options, truncate: false })), {
      name: "BadRequestError",
      message:
        "the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length",
    });
  });

  it("embeds a batch in one runner call, normalized, with dimensions", async () => {
    const before = embedCalls.length;
    const res = await inference.embed({ model: "bert", input: ["hello world", "why is the sky blue", "a"] });
    assert.deepEqual(embedCalls.slice(before), [["hello world", "why is the sky blue", "a"]]);
    assert.equal(res.embeddings.length, 3);
    for (const v of res.embeddings) {
      assert.equal(v.length, 128);
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-6);
    }
    assert.ok(res.prompt_eval_count! >= 6);
    const cut = await inference.embed({ model: "bert", input: "hello world", dimensions: 16 });
    assert.equal(cut.embeddings[0].length, 16);
    assert.ok(Math.abs(Math.hypot(...cut.embeddings[0]) - 1) < 1e-6);
    await assert.rejects(inference.embed({ model: "bert", input: "word ".repeat(3000), truncate: false }), {
      name: "BadRequestError",
      message: "the input length exceeds the context length",
    });
    const truncated = await inference.embed({ model: "bert", input: "word ".repeat(3000) });
    assert.equal(truncated.embeddings[0].length, 128);
    const legacy = await inference.embeddings({ model: "bert", prompt: "hello world" });
    assert.equal(legacy.embedding.length, 128);
  });

  it("reranks documents best first and lists loaded models", async () => {
    const ranked = await inference.rerank({ model: "reranker", query: "sky", documents: ["blue sky", "green grass", "red car"], top_n: 2 });
    assert.equal(ranked.length, 2);
    assert.ok(ranked[0].relevance_score >= ranked[1].relevance_score);
    assert.ok(ranked.every((r) => r.index >= 0 && r.index < 3));

    const ps = await inference.ps();
    assert.ok(ps.models.length >= 1);
    const names = ps.models.map((m) => m.name);
    assert.ok(names.includes("reranker:latest"), names.join());
    for (const m of ps.models) {
      assert.ok(m.size > 0);
      assert.ok(m.context_length > 0);
      assert.equal(m.details.format, "gguf");
    }
    await inference.unload("reranker");
    assert.ok(!(await inference.ps()).models.some((m) => m.name === "reranker:latest"));
  });
});
