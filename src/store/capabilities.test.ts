import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseName } from "../name/index.js";
import { TemplateError } from "../template/index.js";
import { chooseTemplate, modelCapabilities, type WeightsFacts } from "./capabilities.js";
import type { Model } from "./model.js";

function stored(over: Partial<Model> = {}): Model {
  return {
    name: parseName("m"),
    shortName: "m:latest",
    digest: "0".repeat(64),
    manifest: { schemaVersion: 2, mediaType: "", config: { mediaType: "", digest: "", size: 0 }, layers: [] },
    config: { architecture: "amd64", os: "linux" },
    modifiedAt: new Date(0),
    modelPath: "/blobs/sha256-weights",
    parentModel: "",
    adapters: [],
    projectors: [],
    params: {},
    messages: [],
    license: [],
    ...over,
  };
}

const TEXT: WeightsFacts = { vision: false };
const TOOLS_GO = "{{ if .Tools }}{{ .Tools }}{{ end }}{{ range .Messages }}{{ .Content }}{{ end }}";
const THINK_GO =
  "{{ range .Messages }}{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ .Content }}{{ end }}";
const TOOLS_JINJA = "{% if tools %}{{ tools | tojson }}{% endif %}{% for m in messages %}{{ m.content }}{% endfor %}";
const caps = (m: Model, w: WeightsFacts | undefined = TEXT, preferGo = true) => modelCapabilities(m, w, { preferGo });

describe("modelCapabilities (Ollama's Model.Capabilities)", () => {
  it("weights: completion, or embedding for a pooling model; nothing when the weights are unreadable", () => {
    assert.deepEqual(caps(stored()), ["completion"]);
    assert.deepEqual(caps(stored(), { vision: false, pooling_type: 1 }), ["embedding"]);
    assert.deepEqual(modelCapabilities(stored(), undefined, { preferGo: true }), []);
  });

  it("vision from the weights' own vision encoder (vision.block_count) and from a projector layer", () => {
    assert.deepEqual(caps(stored(), { vision: true }), ["completion", "vision"]);
    assert.deepEqual(caps(stored({ projectors: ["/blobs/sha256-proj"] })), ["completion", "vision"]);
  });

  it("config capabilities count only for a model without GGUF weights; image excludes everything else", () => {
    assert.deepEqual(caps(stored({ config: { architecture: "", os: "", capabilities: ["tools"] } })), ["completion"]);
    assert.deepEqual(caps(stored({ modelPath: undefined, config: { architecture: "", os: "", capabilities: ["completion", "vision"] } })), [
      "completion",
      "vision",
    ]);
    assert.deepEqual(caps(stored({ template: TOOLS_GO, config: { architecture: "", os: "", capabilities: ["image"] } })), ["image"]);
  });

  it("Go template: tools, insert, thinking", () => {
    assert.deepEqual(caps(stored({ template: TOOLS_GO })), ["completion", "tools"]);
    assert.deepEqual(caps(stored({ template: "{{ .Prompt }}<SUF>{{ .Suffix }}" })), ["completion", "insert"]);
    assert.deepEqual(caps(stored({ template: THINK_GO })), ["completion", "thinking"]);
  });

  it("gpt-oss thinks whatever its template says", () => {
    for (const family of ["gptoss", "gpt-oss"]) {
      assert.deepEqual(caps(stored({ config: { architecture: "", os: "", model_family: family } })), ["completion", "thinking"]);
    }
  });

  it("OLLAMA_GO_TEMPLATE=false: the GGUF Jinja template, the one prompts are rendered with, gives the capabilities", () => {
    const m = stored({ template: THINK_GO });
    const w: WeightsFacts = { vision: false, chat_template: TOOLS_JINJA };
    assert.deepEqual(caps(m, w, true), ["completion", "thinking"]);
    assert.deepEqual(caps(m, w, false), ["completion", "tools"]);
    // Without a Jinja template, the Go template is used either way.
    assert.deepEqual(caps(m, TEXT, false), ["completion", "thinking"]);
    assert.deepEqual(chooseTemplate(THINK_GO, TOOLS_JINJA, false), { kind: "jinja", source: TOOLS_JINJA });
    assert.deepEqual(chooseTemplate(THINK_GO, TOOLS_JINJA, true), { kind: "go", source: THINK_GO });
    assert.equal(chooseTemplate(undefined, undefined, true), undefined);
  });

  it("a Go template that does not parse is an error, as Ollama's GetModel fails for such a model", () => {
    assert.throws(() => caps(stored({ template: "{{ if .Tools }}" })), TemplateError);
    // Unless it is not the template in use.
    assert.deepEqual(caps(stored({ template: "{{ if .Tools }}" }), { vision: false, chat_template: TOOLS_JINJA }, false), ["completion", "tools"]);
  });
});
