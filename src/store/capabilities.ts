// A stored model's capabilities (ollama-spec §8.4, Ollama's `Model.Capabilities()`): the one rule
// behind `/api/show`, `/api/tags`, Anthropic's `think` handling and what a request may do.

import type { GgufModelDetails } from "../gguf/index.js";
import { parseTemplate, templateCapabilities } from "../template/go-template.js";
import { jinjaCapabilities } from "../template/jinja-capabilities.js";
import type { Model } from "./model.js";

/** What the weights' header tells about capabilities (from `describeGguf`). */
export type WeightsFacts = Pick<GgufModelDetails, "pooling_type" | "vision" | "chat_template">;

/** The template that turns messages into a prompt; none means the prompt verbatim (`{{ .Prompt }}`). */
export type TemplateChoice = { kind: "go"; source: string } | { kind: "jinja"; source: string } | undefined;

/**
 * ollama-spec §8.1: the Modelfile's Go TEMPLATE when OLLAMA_GO_TEMPLATE is on (`preferGo`) or the
 * weights have no Jinja template; else the GGUF `tokenizer.chat_template`.
 */
export function chooseTemplate(goTemplate: string | undefined, chatTemplate: string | undefined, preferGo: boolean): TemplateChoice {
  if (goTemplate && (preferGo || !chatTemplate)) return { kind: "go", source: goTemplate };
  if (chatTemplate) return { kind: "jinja", source: chatTemplate };
  return undefined;
}

/** Ollama's order: what the weights do, then what the template adds, then a projector's, then thinking. */
const ORDER = ["image", "completion", "embedding", "tools", "insert", "vision", "audio", "thinking"];

/**
 * Whether a model takes images: a projector layer, or weights that carry their own vision tower (a
 * monolithic Ollama-published file, whose tower the translator turns into a projector at load).
 */
export function hasVision(model: Model, weights: WeightsFacts | undefined): boolean {
  return model.projectors.length > 0 || (model.modelPath !== undefined && weights?.vision === true);
}

/**
 * `weights` undefined when the model file could not be read (Ollama logs it and reports only what the
 * template adds). A Go template that does not parse throws its TemplateError, as Ollama's GetModel
 * fails for such a model: show and inference report the same error.
 */
export function modelCapabilities(model: Model, weights: WeightsFacts | undefined, opts: { preferGo: boolean }): string[] {
  const config = model.config.capabilities ?? [];
  // An image-generation model does nothing else.
  if (config.includes("image")) return ["image"];
  const caps = new Set<string>();
  if (model.modelPath) {
    if (weights) {
      caps.add(weights.pooling_type !== undefined ? "embedding" : "completion");
    }
  } else {
    // Only a model without weights (e.g. safetensors-based) declares capabilities in its config.
    for (const c of config) caps.add(c);
  }
  if (hasVision(model, weights)) caps.add("vision");

  const template = chooseTemplate(model.template, weights?.chat_template, opts.preferGo);
  if (template?.kind === "go") {
    const t = templateCapabilities(parseTemplate(template.source));
    if (t.tools) caps.add("tools");
    if (t.insert) caps.add("insert");
    if (t.thinking) caps.add("thinking");
  } else if (template?.kind === "jinja") {
    const t = jinjaCapabilities(template.source);
    if (t.tools) caps.add("tools");
    if (t.thinking) caps.add("thinking");
  }
  // gpt-oss thinks through its harmony format whatever its template says.
  const family = model.config.model_family;
  if (family === "gptoss" || family === "gpt-oss") caps.add("thinking");
  return [...caps].sort((a, b) => rank(a) - rank(b));
}

function rank(c: string): number {
  const i = ORDER.indexOf(c);
  return i < 0 ? ORDER.length : i;
}
