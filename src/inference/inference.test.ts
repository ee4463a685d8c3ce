// Inference against the fake runner: request checks, load/unload, prompt building, parsing, metrics.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ChatResponse, GenerateResponse } from "../api/types.js";
import { createFakeRunnerFactory, FAKE_SCRIPT } from "../runner/testing/index.js";
import type { CompletionRequest, EmbedResult } from "../runner/types.js";
import { model } from "../testing/fixtures.js";
import { Inference } from "./index.js";
import type { RunnerMeta } from "./seams.js";
import { collect, createTestStore, type TestStore, TestScheduler } from "./testing.js";

const TOOL_TEMPLATE =
  '{{- if .Tools }}<tools>{{ range .Tools }}{{ .Function.Name }} {{ end }}</tools>{{ end }}{{- range .Messages }}{{ if eq .Role "system" }}<|system|>{{ .Content }}{{ else if eq .Role "user" }}<|user|>{{ .Content }}{{ else if eq .Role "assistant" }}<|assistant|>{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ .Content }}{{ if .ToolCalls }}<tool_call>{{ range .ToolCalls }}{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}{{ end }}</tool_call>{{ end }}{{ end }}{{ end }}<|assistant|>';

async function firstError(it: AsyncIterable<readonly unknown[]>): Promise<Error> {
  try {
    await collect(it);
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}

describe("Inference (fake runner)", () => {
  let ts: TestStore;
  let scripts: Record<string, string>;
  let factory: ReturnType<typeof createFakeRunnerFactory>;
  let scheduler: TestScheduler;
  let inference: Inference;
  const warnings: string[] = [];
  const seen: CompletionRequest[] = [];

  before(async () => {
    ts = await createTestStore(
      { name: "stories", gguf: model("stories260K.gguf") },
      { name: "persona", gguf: model("stories260K.gguf"), template: TOOL_TEMPLATE, system: "You tell stories.", messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello!" }], params: { stop: ["<|user|>"], temperature: 0 } },
      { name: "bert", gguf: model("synthetic/bert-embed-synthetic.gguf") },
      { name: "coder", gguf: model("stories260K.gguf"), template: "<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>" },
    );
    scripts = {};
    factory = createFakeRunnerFactory((opts) => ({ script: scripts[opts.modelPath] }));
    scheduler = new TestScheduler(async (opts, signal) => {
      const runner = await factory(opts, signal);
      const complete = runner.complete.bind(runner);
      runner.complete = (req) => {
        seen.push(req);
        return complete(req);
      };
      return runner;
    });
    inference = new Inference({
      store: ts.store,
      scheduler,
      defaults: { contextLength: 0, goTemplate: true },
      log: { warn: (msg, fields) => warnings.push(`${msg} ${JSON.stringify(fields)}`) },
    });
  });
  after(async () => {
    await scheduler.closeAll();
    ts.cleanup();
  });

  it("loads on an empty prompt and unloads with keep_alive 0", async () => {
    const load = await collect(inference.generate({ model: "stories", prompt: "" }));
    assert.equal(load.length, 1);
    assert.equal(load[0].done, true);
    assert.equal(load[0].done_reason, "load");
    assert.equal(load[0].model, "stories");
    assert.equal(scheduler.slots.size, 1);
    const ps = await inference.ps();
    assert.equal(ps.models.length, 1);
    assert.equal(ps.models[0].name, "stories:latest");
    assert.equal(ps.models[0].details.family, "llama");
    assert.equal(ps.models[0].details.parameter_size, "293K");
    assert.equal(ps.models[0].details.format, "gguf");
    // ":local" (Ollama's explicit source) names the same model: no second load.
    const local = await collect(inference.generate({ model: "stories:local", prompt: "" }));
    assert.equal(local[0].done_reason, "load");
    assert.equal(scheduler.slots.size, 1);
    assert.equal(ps.models[0].context_length, 2048);
    assert.match(ps.models[0].digest, /^[0-9a-f]{64}$/);

    const unload = await collect(inference.generate({ model: "stories", keep_alive: 0 }));
    assert.deepEqual([unload[0].done, unload[0].done_reason], [true, "unload"]);
    assert.equal(scheduler.slots.size, 0);

    const chatLoad = await collect(inference.chat({ model: "stories", messages: [] }));
    assert.deepEqual(chatLoad[0].message, { role: "assistant", content: "" });
    assert.equal(chatLoad[0].done_reason, "load");
    const chatUnload = await collect(inference.chat({ model: "stories", messages: [], keep_alive: "0s" }));
    assert.equal(chatUnload[0].done_reason, "unload");
    assert.equal(scheduler.slots.size, 0);
  });

  it("unload(name) expires a loaded model; unknown names are 404", async () => {
    await collect(inference.generate({ model: "stories" }));
    assert.equal(scheduler.slots.size, 1);
    await inference.unload("STORIES:latest");
    assert.equal(scheduler.slots.size, 0);
    await assert.rejects(inference.unload("nope"), { name: "ModelNotFoundError", message: "model 'nope' not found" });
  });

  it("refuses bad requests with Ollama's errors before any output", async () => {
    const cases: [AsyncIterable<readonly unknown[]>, string, string][] = [
      [inference.generate({ model: "nope", prompt: "x" }), "ModelNotFoundError", "model 'nope' not found"],
      [inference.generate({ model: "", prompt: "x" }), "ModelNotFoundError", "model '' not found"],
      [inference.chat({ model: "", messages: [] }), "BadRequestError", "model is required"],
      [inference.generate({ model: "bad name!", prompt: "x" }), "InvalidModelNameError", "invalid model name"],
      [inference.generate({ model: "gpt-oss:120b-cloud", prompt: "x" }), "CloudUnavailableError", "ollama cloud is disabled: remote model is unavailable"],
      [inference.chat({ model: "gpt-oss:cloud", messages: [] }), "CloudUnavailableError", "ollama cloud is disabled: remote model is unavailable"],
      [inference.generate({ model: "x:local:cloud", prompt: "x" }), "BadRequestError", 'use either :local or :cloud, not both: "x:local:cloud"'],
      [inference.generate({ model: "stories", prompt: "x", raw: true, system: "s" }), "BadRequestError", "raw mode does not support template, system, or context"],
      [inference.generate({ model: "stories", prompt: "x", top_logprobs: 21 }), "BadRequestError", "top_logprobs must be between 0 and 20"],
      [inference.chat({ model: "stories", messages: [], top_logprobs: -1 }), "BadRequestError", "top_logprobs must be between 0 and 20"],
      [inference.generate({ model: "stories", prompt: "x", format: "yaml" as never }), "InvalidOptionError", 'invalid format: "yaml"; expected "json" or a valid JSON Schema object'],
      [inference.chat({ model: "stories", messages: [{ role: "user", content: "x" }], format: { type: "array", uniqueItems: true } }), "SchemaGrammarError", 'invalid JSON schema in format: keyword "uniqueItems" is not supported'],
      [inference.generate({ model: "stories", prompt: "x", format: { $ref: "https://example.com/s.json" } }), "SchemaGrammarError", 'invalid JSON schema in format: remote $ref "https://example.com/s.json" is not supported (only local references like "#/$defs/name")'],
      [inference.generate({ model: "stories", prompt: "x", think: true }), "BadRequestError", '"stories" does not support thinking'],
      [inference.generate({ model: "stories", prompt: "x", suffix: "y" }), "CapabilityError", "registry.ollama.ai/library/stories:latest does not support insert"],
      [inference.generate({ model: "stories", prompt: "x", images: ["aGk="] }), "CapabilityError", "this model is missing data required for image input"],
      [inference.chat({ model: "stories", messages: [{ role: "user", content: "x" }], tools: [{ type: "function", function: { name: "f" } }] }), "CapabilityError", "registry.ollama.ai/library/stories:latest does not support tools"],
      [inference.generate({ model: "bert", prompt: "x" }), "CapabilityError", '"bert" does not support generate'],
      [inference.chat({ model: "bert", messages: [{ role: "user", content: "x" }] }), "CapabilityError", '"bert" does not support chat'],
      [inference.generate({ model: "stories", prompt: "x", options: { num_ctx: "big" as never } }), "InvalidOptionError", 'option "num_ctx" must be of type integer'],
    ];
    for (const [iter, name, message] of cases) {
      const err = await firstError(iter);
      assert.equal(err.name, name, message);
      assert.equal(err.message, message);
    }
  });

  it("streams generate with metrics, done_reason and context", async () => {
    const chunks = await collect(inference.generate({ model: "stories", prompt: "Once upon a time", options: { temperature: 0, mirostat: 1 } }));
    const final = chunks.at(-1)!;
    assert.equal(chunks.map((c) => c.response).join(""), FAKE_SCRIPT);
    assert.ok(chunks.slice(0, -1).every((c) => !c.done));
    assert.equal(final.done_reason, "stop");
    assert.equal(final.prompt_eval_count, "Once upon a time".length + 1);
    assert.ok(final.eval_count! > 10);
    assert.ok(final.total_duration! >= final.load_duration!);
    assert.ok(final.load_duration! > 0);
    assert.ok(final.eval_duration! > 0);
    assert.equal(final.context![0], 1, "BOS then the prompt");
    assert.equal(final.context!.length, final.prompt_eval_count! + final.eval_count!);
    assert.ok(warnings.some((w) => w.includes("invalid option provided") && w.includes("mirostat")));

    const short = await collect(inference.generate({ model: "stories", prompt: "x", options: { num_predict: 3 } }));
    assert.equal(short.at(-1)!.done_reason, "length");
    assert.equal(short.at(-1)!.eval_count, 3);

    const raw = await collect(inference.generate({ model: "stories", prompt: "x", raw: true }));
    assert.equal(raw.at(-1)!.context, undefined, "raw mode returns no context");
  });

  it("releases the runner when the consumer stops early", async () => {
    for await (const batch of inference.generate({ model: "stories", prompt: "Once" })) {
      assert.equal(batch[0].done, false);
      break;
    }
    const slot = [...scheduler.slots.values()].find((s) => (s.meta as RunnerMeta).name === "stories:latest")!;
    assert.equal(slot.busy, 0);
    const again = await collect(inference.generate({ model: "stories", prompt: "Once", options: { num_predict: 2 } }));
    assert.equal(again.at(-1)!.eval_count, 2);
  });

  it("passes the merged options and the abort signal to the runner", async () => {
    const ctrl = new AbortController();
    await collect(inference.generate({ model: "persona", prompt: "go", options: { seed: 7, num_ctx: 512 }, format: { type: "object" }, keep_alive: "1m", think: false }, ctrl.signal));
    assert.equal(factory.loaded.at(-1)!.options.numCtx, 512);
    assert.equal(scheduler.acquired.at(-1)!.load.numCtx, 512);
    assert.equal(scheduler.acquired.at(-1)!.keepAliveMs, 60_000);
    const req = seen.at(-1)!;
    assert.equal(req.signal, ctrl.signal);
    assert.deepEqual(req.format, { type: "object" });
    assert.equal(req.sampling.seed, 7);
    assert.equal(req.sampling.temperature, 0, "from the Modelfile");
    assert.deepEqual(req.sampling.stop, ["<|user|>"]);
    assert.equal(req.sampling.numPredict, 5120);
    await collect(inference.generate({ model: "persona", prompt: "go", options: { num_ctx: 512 } }));
    assert.equal(scheduler.acquired.at(-1)!.keepAliveMs, undefined, "no keep_alive: the model keeps its own");
    assert.equal(scheduler.slots.get(scheduler.acquired.at(-1)!.key)!.keepAliveMs, 60_000);
  });

  it("renders Modelfile SYSTEM and MESSAGEs through the Go template (_debug_render_only)", async () => {
    const [gen] = await collect(inference.generate({ model: "persona", prompt: "Tell me", _debug_render_only: true }));
    assert.equal(gen._debug_info!.rendered_template, "<|system|>You tell stories.<|user|>Hi<|assistant|>Hello!<|user|>Tell me<|assistant|>");
    assert.equal(gen.done, false);
    const [ctxGen] = await collect(inference.generate({ model: "persona", prompt: "Tell me", system: "Other.", context: [1, 65, 66], _debug_render_only: true }));
    assert.equal(ctxGen._debug_info!.rendered_template, "AB<|system|>Other.<|user|>Tell me<|assistant|>", "context prepended, MESSAGEs dropped");
    const [chat] = await collect(inference.chat({ model: "persona", messages: [{ role: "USER", content: "Q" }], _debug_render_only: true }));
    assert.equal(chat._debug_info!.rendered_template, "<|system|>You tell stories.<|user|>Hi<|assistant|>Hello!<|user|>Q<|assistant|>");
    const [own] = await collect(inference.chat({ model: "persona", messages: [{ role: "system", content: "Mine." }, { role: "user", content: "Q" }], tools: [{ type: "function", function: { name: "get_time" } }], _debug_render_only: true }));
    assert.equal(own._debug_info!.rendered_template, "<tools>get_time </tools><|user|>Hi<|assistant|>Hello!<|system|>Mine.<|user|>Q<|assistant|>");
  });

  it("renders suffix (insert) and a request template override", async () => {
    const [fim] = await collect(inference.generate({ model: "coder", prompt: "def f(", suffix: "return x", _debug_render_only: true }));
    assert.equal(fim._debug_info!.rendered_template, "<PRE> def f( <SUF>return x <MID>");
    const [tpl] = await collect(inference.generate({ model: "stories", prompt: "hi", template: "Q: {{ .Prompt }} A:", _debug_render_only: true }));
    assert.equal(tpl._debug_info!.rendered_template, "Q: hi A:");
    const [plain] = await collect(inference.generate({ model: "stories", prompt: "hi", system: "ignored by {{ .Prompt }}", _debug_render_only: true }));
    assert.equal(plain._debug_info!.rendered_template, "hi", "no template: the prompt verbatim");
  });

  it("truncates chat history to num_ctx, keeping system messages", async () => {
    const long = "x".repeat(200);
    const messages = [
      { role: "user", content: long },
      { role: "assistant", content: long },
      { role: "user", content: "last" },
    ];
    const [r] = await collect(inference.chat({ model: "persona", messages, options: { num_ctx: 300 }, _debug_render_only: true }));
    assert.equal(r._debug_info!.rendered_template, "<|system|>You tell stories.<|assistant|>" + long + "<|user|>last<|assistant|>");
    const [all] = await collect(inference.chat({ model: "persona", messages, options: { num_ctx: 300 }, truncate: false, _debug_render_only: true }));
    assert.ok(all._debug_info!.rendered_template.includes("<|user|>" + long));
  });

  it("splits thinking (on by default) and emits whole tool calls with call_ ids", async () => {
    const persona = (await ts.store.readManifest((await import("../name/index.js")).parseName("persona"))).manifest.layers[0];
    scripts[ts.store.blobs.path(persona.digest)] =
      '<think>Need the time.</think>Let me check. <tool_call>{"name": "get_time", "arguments": {"zone": "UTC"}}</tool_call>';
    await scheduler.closeAll();
    const tools = [{ type: "function", function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } } } } }];
    const chunks: ChatResponse[] = await collect(inference.chat({ model: "persona", messages: [{ role: "user", content: "time?" }], tools }));
    const thinking = chunks.map((c) => c.message.thinking ?? "").join("");
    const content = chunks.map((c) => c.message.content).join("");
    const calls = chunks.flatMap((c) => c.message.tool_calls ?? []);
    assert.equal(thinking, "Need the time.");
    assert.equal(content.trim(), "Let me check.");
    assert.equal(calls.length, 1);
    assert.match(calls[0].id!, /^call_[a-z0-9]{8}$/);
    assert.deepEqual(calls[0].function.arguments, { zone: "UTC" });
    assert.equal(calls[0].function.name, "get_time");

    const off = await collect(inference.chat({ model: "persona", messages: [{ role: "user", content: "time?" }], think: false }));
    assert.ok(off.map((c) => c.message.content).join("").startsWith("<think>"), "think:false leaves the text alone");
    const gen: GenerateResponse[] = await collect(inference.generate({ model: "persona", prompt: "time?" }));
    assert.equal(gen.map((c) => c.thinking ?? "").join(""), "Need the time.");

    // format on a thinking model: think unconstrained, then restart constrained after the thinking.
    const before = seen.length;
    const fmt = await collect(inference.chat({ model: "persona", messages: [{ role: "user", content: "time?" }], format: "json" }));
    const phases = seen.slice(before);
    assert.equal(phases.length, 2);
    assert.equal(phases[0].format, undefined);
    assert.equal(phases[1].format, "json");
    assert.equal(phases[1].prompt, (phases[0].prompt as string) + "<think>Need the time.</think>");
    assert.equal(fmt.map((c) => c.message.thinking ?? "").join(""), "Need the time.");
    assert.ok(fmt.at(-1)!.eval_count! > 3);
  });

  it("embeds in one runner call, normalized, with dimensions", async () => {
    const calls: string[][] = [];
    await inference.embed({ model: "bert" });
    const runner = factory.loaded.at(-1)!;
    assert.equal(runner.options.embedding, true);
    const orig = runner.embed.bind(runner);
    runner.embed = async (inputs: string[]): Promise<EmbedResult> => {
      calls.push(inputs);
      return orig(inputs);
    };
    const res = await inference.embed({ model: "bert", input: ["a", "bb", "ccc"], dimensions: 2 });
    assert.deepEqual(calls, [["a", "bb", "ccc"]]);
    assert.equal(res.embeddings.length, 3);
    for (const v of res.embeddings) {
      assert.equal(v.length, 2);
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-9);
    }
    assert.equal(res.prompt_eval_count, 9);
    assert.ok(res.total_duration! > 0);
    const empty = await inference.embed({ model: "bert", input: [] });
    assert.deepEqual(empty, { model: "bert", embeddings: [] });
    await assert.rejects(inference.embed({ model: "bert", input: [1 as never] }), { message: "invalid input type" });
    const legacy = await inference.embeddings({ model: "bert", prompt: "abcd" });
    assert.deepEqual(legacy.embedding, [4, 1, 0.5], "legacy vectors are not normalized");
    assert.deepEqual(await inference.embeddings({ model: "bert", prompt: "" }), { embedding: [] });
  });
});
