// What every inference request shares: resolve the model, read its GGUF summary, pick the prompt
// template, merge options, lease a runner from the scheduler.

import type { KeepAlive } from "../api/types.js";
import { displayLong, localRef, parseName } from "../name/index.js";
import type { Store } from "../store/index.js";
import { hasVision, type Model, ModelCache, modelCapabilities, modelDetails } from "../store/index.js";
import { detectNamedTemplate, jinjaTemplates } from "../template/index.js";
import { Lru } from "../util/lru.js";
import { parseKeepAlive } from "../util/duration.js";
import { BadRequestError, CapabilityError, InvalidTokenError, ModelNotFoundError, VisionUnavailableError } from "../util/errors.js";
import { GgufCache } from "../gguf/index.js";
import { type GgufSummary, ggufSummary } from "./model-info.js";
import { type MergedOptions, mergeOptions } from "./options.js";
import { countImages, decodeImages } from "./images.js";
import { mtmdLibrary } from "../runner/native/mtmd-path.js";
import type { Message } from "../api/types.js";
import { chooseRenderer, type PromptRenderer } from "./renderer.js";
import type { Lease, RunnerMeta, SchedulerLike } from "./seams.js";

/** OLLAMA_KEEP_ALIVE is the scheduler's: it applies it to loads whose request has no keep_alive (§10). */
export interface InferenceDefaults {
  /** OLLAMA_CONTEXT_LENGTH; 0 = automatic (4096). */
  contextLength: number;
  /** OLLAMA_GO_TEMPLATE: a Modelfile TEMPLATE wins over the GGUF Jinja template. */
  goTemplate: boolean;
  /** OLLAMA_NUM_PARALLEL: the runner's slots (load option `numParallel`); default 1. */
  numParallel?: number;
  /**
   * Whether the engine can run a vision projector (libmtmd built), and why not. Default: the built
   * library's lookup (runner/native/mtmd-path.ts). Without it, projector models still serve text.
   */
  vision?: () => { path?: string; reason: string };
}

export interface Logger {
  warn(msg: string, fields?: Record<string, unknown>): void;
  debug?(msg: string, fields?: Record<string, unknown>): void;
}

export interface ResolvedModel {
  /** The name as the request spelled it (echoed in responses and errors, as Ollama does). */
  requested: string;
  model: Model;
  modelPath: string;
  gguf: GgufSummary;
  /** Fully qualified name, as Ollama's tools/insert errors print it. */
  longName: string;
  key: string;
}

/**
 * Architectures Ollama loads with one slot whatever OLLAMA_NUM_PARALLEL says (server/sched.go: "not safe with
 * num_parallel > 1": an encoder cache, or recurrent state that cannot roll back to a shared prefix).
 */
const ONE_SLOT_ARCHITECTURES = new Set(["mllama", "qwen3vl", "qwen3vlmoe", "qwen35", "qwen35moe", "qwen3next", "lfm2", "lfm2moe", "nemotron_h", "nemotron_h_moe", "nemotron_h_omni"]);

/** Whether the model is of `family`, as its own or among its families (Ollama's Config.ModelFamily/ModelFamilies). */
function isFamily(m: ResolvedModel, family: string): boolean {
  return m.gguf.family === family || m.gguf.families.includes(family);
}

/** How many models' derived facts (header summary, named-template stops, compiled template) are kept. */
const CACHED_MODELS = 16;

export class InferenceCore {
  private readonly models: ModelCache;
  private readonly summaries = new Lru<string, Promise<GgufSummary>>(CACHED_MODELS);
  private readonly namedStops = new Lru<string, { stop?: string[] }>(CACHED_MODELS);
  private readonly templates = jinjaTemplates(CACHED_MODELS);
  /** Architectures already warned about (at most the few of ONE_SLOT_ARCHITECTURES). */
  private readonly warnedOneSlot = new Set<string>();

  constructor(
    readonly store: Store,
    readonly scheduler: SchedulerLike,
    readonly defaults: InferenceDefaults,
    readonly log: Logger,
    private readonly ggufs: GgufCache = new GgufCache(),
  ) {
    this.models = new ModelCache(store);
  }

  /** `emptyName`: what an empty `model` is — generate/embed say 404 `model '' not found`, chat 400. */
  async resolve(raw: string | undefined, emptyName: "not-found" | "required"): Promise<ResolvedModel> {
    if (!raw) {
      if (emptyName === "required") throw new BadRequestError("model is required");
      throw new ModelNotFoundError("");
    }
    const name = parseName(localRef(raw, "remote model is unavailable"));
    let model: Model;
    try {
      model = await this.models.read(name);
    } catch (err) {
      if (err instanceof ModelNotFoundError) throw new ModelNotFoundError(raw);
      throw err;
    }
    if (!model.modelPath) throw new ModelNotFoundError(raw);
    const gguf = await ggufSummary(model.modelPath, this.ggufs, this.summaries);
    return {
      requested: raw,
      model,
      modelPath: model.modelPath,
      gguf,
      longName: displayLong(model.name),
      key: [model.modelPath, ...model.adapters, ...model.projectors].join("\n"),
    };
  }

  renderer(m: ResolvedModel, forChat: boolean, templateOverride?: string): PromptRenderer {
    return chooseRenderer({
      goTemplate: templateOverride ?? m.model.template,
      preferGo: this.defaults.goTemplate || templateOverride !== undefined,
      gguf: m.gguf,
      forChat,
      templates: this.templates,
    });
  }

  /**
   * The model's capabilities as show and tags report them (ollama-spec §8.4): from its own template,
   * not a request's `template` override, as Ollama checks them.
   */
  capabilities(m: ResolvedModel): Set<string> {
    return new Set(modelCapabilities(m.model, m.gguf, { preferGo: this.defaults.goTemplate }));
  }

  requireCompletion(m: ResolvedModel, caps: Set<string>, verb: "generate" | "chat"): void {
    if (!caps.has("completion")) throw new CapabilityError(`"${m.requested}" does not support ${verb}`);
  }

  /**
   * Token ids a client hands in (generate's `context`) must name tokens of this model's vocabulary:
   * llama.cpp aborts the whole runner on an id outside it, so they are checked before any runner sees
   * them, whichever engine is current. A file without a token list is left to the engine.
   */
  checkTokens(m: ResolvedModel, tokens: readonly unknown[] | undefined | null): void {
    if (!tokens?.length) return;
    const n = m.gguf.vocabSize;
    for (const t of tokens) {
      if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || (n > 0 && t >= n)) throw new InvalidTokenError(t, n);
    }
  }

  /** The projector the runner loads: the model's first, when the engine can run one. */
  projectorPath(m: ResolvedModel): string | undefined {
    if (!m.model.projectors.length) return undefined;
    return (this.defaults.vision ?? mtmdLibrary)().path ? m.model.projectors[0] : undefined;
  }

  /**
   * The request's images, decoded and checked, in message order (400 on bad data). A model with neither
   * a projector layer nor a vision tower in its weights (which the translator makes a projector of at
   * load) answers Ollama's error; one whose projector the engine cannot run says how to enable it.
   */
  requestImages(m: ResolvedModel, messages: readonly Pick<Message, "images">[]): Uint8Array[] {
    if (countImages(messages as Message[]) === 0) return [];
    if (!hasVision(m.model, m.gguf)) throw new CapabilityError("this model is missing data required for image input");
    const lib = (this.defaults.vision ?? mtmdLibrary)();
    if (!lib.path) throw new VisionUnavailableError(lib.reason);
    return decodeImages(messages.flatMap((msg) => msg.images ?? []));
  }

  /**
   * `renderer`: on the Jinja path, a model without stop parameters gets those of the named template
   * its chat template matches (what Ollama's create would have written, e.g. ChatML's `<|im_end|>`).
   */
  mergeOptions(
    m: ResolvedModel,
    requestOptions: Record<string, unknown> | undefined | null,
    opts: { embedding?: boolean; renderer?: PromptRenderer } = {},
  ): MergedOptions {
    const embedding = opts.embedding ?? false;
    let modelParams = m.model.params;
    if (opts.renderer?.kind === "jinja" && modelParams.stop === undefined) {
      const stop = this.namedTemplateStops(opts.renderer.source);
      if (stop) modelParams = { ...modelParams, stop };
    }
    const merged = mergeOptions({
      vision: hasVision(m.model, m.gguf),
      contextLength: this.defaults.contextLength,
      trainedContext: m.gguf.context_length ?? 0,
      modelParams,
      requestOptions,
      embedding,
    });
    for (const key of merged.unknown) this.log.warn("invalid option provided", { option: key });
    return merged;
  }

  private namedTemplateStops(jinja: string): string[] | undefined {
    let hit = this.namedStops.get(jinja);
    if (!hit) {
      const stop = detectNamedTemplate(jinja)?.parameters.stop;
      hit = { stop: Array.isArray(stop) && stop.every((x) => typeof x === "string") ? stop : undefined };
      this.namedStops.set(jinja, hit);
    }
    return hit.stop;
  }

  /** The request's keep_alive in ms; undefined when not given (a loaded model keeps its own). */
  keepAliveMs(value: KeepAlive | undefined | null): number | undefined {
    return value === undefined || value === null ? undefined : parseKeepAlive(value);
  }

  meta(m: ResolvedModel): RunnerMeta {
    return {
      name: m.model.shortName,
      model: m.model.shortName,
      digest: m.model.digest,
      details: modelDetails(m.model, m.gguf),
    };
  }

  /**
   * The runner's slots: OLLAMA_NUM_PARALLEL, but one for a model that cannot complete (an embedder, pooled: its
   * inputs batch within one request; the same header fact that makes its capability "embedding", read without
   * re-deriving the capabilities on every request) and for the architectures Ollama keeps to one, as Ollama does.
   */
  slots(m: ResolvedModel): number {
    const wanted = this.defaults.numParallel ?? 1;
    if (wanted === 1 || m.gguf.pooling_type !== undefined) return 1;
    if (!ONE_SLOT_ARCHITECTURES.has(m.gguf.architecture)) return wanted;
    if (!this.warnedOneSlot.has(m.gguf.architecture)) {
      this.warnedOneSlot.add(m.gguf.architecture);
      this.log.warn("model architecture does not currently support parallel requests", { architecture: m.gguf.architecture });
    }
    return 1;
  }

  acquire(
    m: ResolvedModel,
    merged: MergedOptions,
    keepAliveMs: number | undefined,
    signal: AbortSignal | undefined,
    extra: { shift?: boolean } = {},
  ): Promise<Lease> {
    const load = { modelPath: m.modelPath, adapters: m.model.adapters, ...merged.load, numParallel: this.slots(m) };
    const projectorPath = this.projectorPath(m);
    if (projectorPath) load.projectorPath = projectorPath;
    // Context shift is on unless the request turns it off, except for deepseek2, whose RoPE a shift corrupts
    // (Ollama's supportsContextShift): there only a request turns it on.
    const shift = extra.shift ?? (isFamily(m, "deepseek2") ? false : undefined);
    if (shift !== undefined) load.shift = shift;
    return this.scheduler.acquire({ key: m.key, load, keepAliveMs, meta: this.meta(m), signal });
  }

  async expire(m: ResolvedModel): Promise<void> {
    await this.scheduler.expire(m.key);
  }
}
