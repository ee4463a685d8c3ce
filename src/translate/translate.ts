// Recognises a published blob and plans its translation: which handler, the text model's plan and,
// for monolithic vision models, the projector's. Dispatch order is Ollama's (translate_metadata,
// translate_clip_metadata): embeddinggemma before gemma3, one text handler per file.

import type { GgufFile } from "../gguf/index.js";
import { embeddingGemma, gemma3 } from "./arch/gemma3.js";
import type { Handler } from "./arch/handler.js";
import { gemma3n, llama4, llavaProjector, mistral3 } from "./arch/llama4-mistral3.js";
import { qwen25vl, qwen3vl } from "./arch/qwen-vl.js";
import {
  glm4moelite,
  gptoss,
  laguna,
  lfm2,
  llama3,
  nemotronHMoe,
  olmo3,
  qwen3next,
  snowflakeArcticEmbed2,
} from "./arch/text-only.js";
import { deepseekocr, gemma4, glmocr, nemotronHOmni, qwen35, qwen35moe } from "./arch/text-more.js";
import { Plan } from "./plan.js";

/** Bump when any handler's output changes: cached translations of older versions are not reused. */
export const TRANSLATOR_VERSION = 2;

const TEXT_HANDLERS: Handler[] = [
  embeddingGemma,
  gemma3,
  snowflakeArcticEmbed2,
  gemma3n,
  gemma4,
  qwen35moe,
  qwen35,
  qwen3next,
  laguna,
  gptoss,
  lfm2,
  olmo3,
  mistral3,
  qwen25vl,
  qwen3vl,
  glm4moelite,
  deepseekocr,
  nemotronHOmni,
  nemotronHMoe,
  llama3,
  llama4,
  glmocr,
];

/** Monolithic files used as a projector, in Ollama's clip dispatch order. */
const CLIP_HANDLERS: Handler[] = [gemma3, mistral3, llama4, qwen25vl, qwen3vl];

/** Tensor prefixes of an embedded vision tower and projector. */
const VISION_PREFIXES = ["v.", "mm."];

export interface PlannedTranslation {
  handler: string;
  /** The text model (undefined when the file is a projector). */
  text?: Plan;
  /** The projector llama.cpp's mtmd loads (for monolithic vision models and old LLaVA projectors). */
  projector?: Plan;
}

export const HANDLED = [...new Set([...TEXT_HANDLERS, ...CLIP_HANDLERS, llavaProjector].map((h) => h.name))];

function projectorPlan(g: GgufFile, h: Handler): Plan {
  const p = new Plan(g, (name) => VISION_PREFIXES.some((x) => name.startsWith(x)));
  h.projector!(p);
  // A projector needs only its own keys: not the text model's tokenizer or hyper-parameters.
  p.filterKeys((k) => k.startsWith("clip.") || k.startsWith("general."));
  return p;
}

/**
 * The translation a file loaded as the model needs, or undefined when llama.cpp loads it as it is.
 * Throws IncompatibleModelError when a recognised file lacks what its translation needs.
 */
export function planModel(g: GgufFile): PlannedTranslation | undefined {
  const probe = new Plan(g);
  const h = TEXT_HANDLERS.find((x) => x.detect(probe));
  if (!h) return undefined;
  const text = new Plan(g);
  h.text?.(text);
  const out: PlannedTranslation = { handler: h.name, text };
  if (h.projector && probe.hasPrefix("v.")) out.projector = projectorPlan(g, h);
  return out;
}

/** The translation a file loaded as the projector needs (a monolithic blob, or an untyped LLaVA projector). */
export function planProjector(g: GgufFile): PlannedTranslation | undefined {
  const probe = new Plan(g);
  if (llavaProjector.detect(probe)) {
    const p = new Plan(g);
    llavaProjector.projector!(p);
    return { handler: llavaProjector.name, projector: p };
  }
  if (!probe.hasPrefix("v.")) return undefined;
  const h = CLIP_HANDLERS.find((x) => x.detect(probe));
  return h ? { handler: h.name, projector: projectorPlan(g, h) } : undefined;
}
