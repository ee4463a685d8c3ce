// Show and inference read capabilities through one function: what `show` lists is what a request
// may use, under either OLLAMA_GO_TEMPLATE setting.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Models } from "../models/index.js";
import { TemplateError } from "../template/index.js";
import { model } from "../testing/fixtures.js";
import { Inference } from "./index.js";
import type { SchedulerLike } from "./seams.js";
import { createTestStore, type TestStore } from "./testing.js";

const TOOLS_GO = "{{ if .Tools }}{{ .Tools }}{{ end }}{{ range .Messages }}{{ .Content }}{{ end }}";

async function drain(it: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of it);
}

/** Capability checks come before the scheduler: reaching it means the request was accepted. */
class Accepted extends Error {}
const scheduler: SchedulerLike = {
  acquire: () => Promise.reject(new Accepted()),
  expire: () => {},
  ps: () => [],
};

describe("capabilities: show and inference agree", () => {
  let ts: TestStore;
  before(async () => {
    ts = await createTestStore(
      // A Go template with tools over weights whose Jinja template (ChatML) has none.
      { name: "both", gguf: model("stories260K-chatml.gguf"), template: TOOLS_GO },
      { name: "oss", gguf: model("stories260K.gguf"), config: { model_family: "gptoss" } },
      { name: "broken", gguf: model("stories260K.gguf"), template: "{{ if .Tools }}" },
    );
  });
  after(async () => {
    ts.cleanup();
  });

  for (const goTemplate of [true, false]) {
    it(`OLLAMA_GO_TEMPLATE=${goTemplate}: tools follow the template prompts are rendered with`, async () => {
      const models = new Models({ store: ts.store, goTemplate });
      const inference = new Inference({ store: ts.store, scheduler, defaults: { contextLength: 0, goTemplate } });
      const shown = (await models.show("both")).capabilities;
      const listed = (await models.list()).models.find((m) => m.name === "both:latest")?.capabilities;
      assert.deepEqual(listed, shown);
      assert.equal(shown.includes("tools"), goTemplate);
      const chat = inference.chat({
        model: "both",
        messages: [{ role: "user", content: "hi" }],
        tools: [{ type: "function", function: { name: "f", description: "", parameters: { type: "object", properties: {} } } }],
        options: { num_predict: 1 },
      }, new AbortController().signal);
      await assert.rejects(drain(chat), goTemplate ? Accepted : /does not support tools/);
    });
  }

  it("gpt-oss: thinking in show and accepted by chat", async () => {
    const models = new Models({ store: ts.store });
    const inference = new Inference({ store: ts.store, scheduler, defaults: { contextLength: 0, goTemplate: true } });
    assert.ok((await models.show("oss")).capabilities.includes("thinking"));
    await assert.rejects(drain(inference.chat({ model: "oss", messages: [{ role: "user", content: "hi" }], think: true }, new AbortController().signal)), Accepted);
  });

  it("a template that does not parse: the same error from show and chat; listed without capabilities", async () => {
    const models = new Models({ store: ts.store });
    const inference = new Inference({ store: ts.store, scheduler, defaults: { contextLength: 0, goTemplate: true } });
    await assert.rejects(models.show("broken"), TemplateError);
    await assert.rejects(drain(inference.chat({ model: "broken", messages: [{ role: "user", content: "hi" }] }, new AbortController().signal)), TemplateError);
    assert.deepEqual((await models.list()).models.find((m) => m.name === "broken:latest")?.capabilities, []);
  });
});
