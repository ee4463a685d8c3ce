// `/api/create` (ollama-spec §7.3): builds a manifest from a base model (`from`) and/or uploaded GGUF
// blobs (`files`, `adapters`), then the template/system/license/params/messages layers and the config.
// The whole build runs under the store lock, so a concurrent create, copy or delete never collects a
// layer this one is about to reference.

import { createHash } from "node:crypto";
import type { CreateRequest, ProgressResponse } from "../api/types.js";
import { type GgufFile, describeGguf, readGguf } from "../gguf/index.js";
import { type ModelName, parseDigest, parseName } from "../name/index.js";
import {
  CONFIG_MEDIA_TYPE,
  type Layer,
  MediaType,
  type ModelConfig,
  newManifest,
  readModel,
  type Store,
} from "../store/index.js";
import { detectNamedTemplate, parseTemplate } from "../template/index.js";
import { BadRequestError, ModelNotFoundError } from "../util/errors.js";
import { convertAdapterFiles, convertModelFiles, isSafetensorsUpload } from "./create-convert.js";
import { quantizeBlob, quantizeSource } from "./quantize.js";
import { parseQuantizeType, type QuantizeType } from "./quantize-type.js";

/** The create request as the route hands it over (`quantization` is the deprecated spelling). */
export type CreateBody = Omit<CreateRequest, "model" | "name" | "stream"> & { quantization?: string };

export type OnProgress = (p: ProgressResponse) => void;

/** Go's json.Marshal of a map: keys sorted. */
function sortedJson(obj: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function isValidRelativePath(p: string): boolean {
  if (!p || p.startsWith("/") || p.includes("\\") || p.includes("\0")) return false;
  return p.split("/").every((seg) => seg !== "" && seg !== "." && seg !== "..");
}

/** Checks that need no disk work, so the route can answer 400 before streaming. */
export function validateCreate(rawName: string, req: CreateBody): ModelName {
  const name = parseName(rawName);
  if (!req.from && !(req.files && Object.keys(req.files).length)) {
    throw new BadRequestError("neither 'from' or 'files' was specified");
  }
  for (const map of [req.files, req.adapters]) {
    for (const [path, digest] of Object.entries(map ?? {})) {
      if (!isValidRelativePath(path)) throw new BadRequestError("file path must be relative");
      parseDigest(digest);
    }
  }
  const adapterFiles = Object.keys(req.adapters ?? {});
  if (adapterFiles.length > 1 && !isSafetensorsUpload(adapterFiles)) throw new BadRequestError("only one adapter is currently supported");
  if (req.template !== undefined) parseTemplate(req.template);
  quantizeTarget(req);
  return name;
}

/**
 * The checks that read the store (before any progress line, so they answer with a status): a quantization
 * needs an F32/F16/BF16 source. A `from` model not present yet is checked after its pull.
 */
export async function validateCreateSources(store: Store, req: CreateBody): Promise<void> {
  if (!quantizeTarget(req)) return;
  const files = Object.entries(req.files ?? {});
  if (files.length && !isSafetensorsUpload(files.map(([p]) => p))) {
    for (const [path, digest] of files) {
      const gguf = await readUploaded(store, path, digest);
      if (describeGguf(gguf).kind === "model") quantizeSource(gguf);
    }
  } else if (!files.length && req.from) {
    const base = await store.resolve(parseName(req.from)).catch(() => undefined);
    const modelPath = base ? (await readModel(store, base)).modelPath : undefined;
    if (modelPath) quantizeSource(await readGguf(modelPath));
  }
}

/** The requested quantization, validated (Ollama's accepted types and messages). */
export function quantizeTarget(req: CreateBody): QuantizeType | undefined {
  const q = req.quantize || req.quantization;
  return q ? parseQuantizeType(q) : undefined;
}

async function readUploaded(store: Store, path: string, digest: string): Promise<GgufFile> {
  if (!(await store.blobs.has(digest))) throw new BadRequestError(`blob "${parseDigest(digest)}" not found; upload it with POST /api/blobs/:digest first`);
  // Safetensors uploads never get here (they are converted); PyTorch pickles herd does not read.
  if (/\.pth$/.test(path)) throw new BadRequestError(`${path}: PyTorch checkpoints are not supported; use the model's safetensors files`);
  try {
    return await readGguf(store.blobs.path(digest));
  } catch (e) {
    if (e instanceof BadRequestError) throw e;
    throw new BadRequestError(`${path}: ${(e as Error).message}`);
  }
}

export async function createModel(
  store: Store,
  rawName: string,
  req: CreateBody,
  onProgress: OnProgress,
  opts: { pull?: (name: string, onProgress: OnProgress) => Promise<void>; noPrune?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const name = validateCreate(rawName, req);
  const quantize = quantizeTarget(req);
  let quantizeTo = quantize;
  // The F16 conversion a quantization starts from: not kept once the quantized blob exists.
  let intermediate: string | undefined;
  // Blobs this create wrote: collected again if it fails before a manifest references them.
  const created: string[] = [];
  await store.lock.run(async () => {
    try {
      let layers: Layer[] = [];
      let config: ModelConfig = { model_format: "gguf", architecture: "amd64", os: "linux" };
      let params: Record<string, unknown> = {};
      let chatTemplate: string | undefined;

      const addBlob = async (mediaType: string, data: string | Buffer, replace = true): Promise<Layer> => {
        const existed = await store.blobs.has(`sha256:${createHash("sha256").update(data).digest("hex")}`);
        const { digest, size } = await store.blobs.write(data);
        if (!existed) created.push(digest);
        onProgress({ status: `${existed ? "using existing" : "creating new"} layer ${digest}` });
        const layer = { mediaType, digest, size };
        if (replace) layers = layers.filter((l) => l.mediaType !== mediaType);
        layers.push(layer);
        return layer;
      };

      if (req.from) {
        let base = await store.resolve(parseName(req.from)).catch(() => undefined);
        if (!base && opts.pull) {
          await opts.pull(req.from, onProgress);
          base = await store.resolve(parseName(req.from));
        }
        if (!base) throw new ModelNotFoundError(req.from, `model "${req.from}" not found`);
        const source = await readModel(store, base);
        for (const l of source.manifest.layers) {
          onProgress({ status: `using existing layer ${l.digest}` });
          // The model layer remembers where it came from, for `parent_model` and cross-repo mounts.
          layers.push(l.mediaType === MediaType.model && !l.from ? { ...l, from: source.shortName } : l);
        }
        params = { ...source.params };
        const { model_format, model_family, model_families, model_type, file_type, renderer, parser, requires } = source.config;
        config = { ...config, model_format, model_family, model_families, model_type, file_type, renderer, parser, requires };
      }

      const useModelGguf = async (gguf: GgufFile, digest: string) => {
        const d = describeGguf(gguf);
        const mediaType = d.kind === "adapter" ? MediaType.adapter : d.kind === "projector" ? MediaType.projector : MediaType.model;
        const size = await store.blobs.size(digest);
        if (mediaType === MediaType.model) {
          layers = layers.filter((l) => l.mediaType !== MediaType.model);
          config = { ...config, model_format: "gguf", model_family: d.family, model_families: d.families, model_type: d.parameter_size, file_type: d.quantization_level };
          const t = gguf.metadata["tokenizer.chat_template"];
          if (typeof t === "string") chatTemplate = t;
        }
        layers.push({ mediaType, digest: parseDigest(digest), size });
      };

      if (req.files && isSafetensorsUpload(Object.keys(req.files))) {
        // A float target is written by the conversion itself; a quantized one starts from F16/BF16.
        const floatTarget = quantize === "F32" || quantize === "F16" || quantize === "BF16" ? quantize : undefined;
        const blob = await convertModelFiles(store, req.files, floatTarget, onProgress, opts.signal);
        created.push(blob.digest);
        if (floatTarget) quantizeTo = undefined;
        else if (quantizeTo) intermediate = blob.digest;
        else onProgress({ status: `creating new layer ${blob.digest}` });
        await useModelGguf(await readGguf(store.blobs.path(blob.digest)), blob.digest);
      } else {
        for (const [path, digest] of Object.entries(req.files ?? {})) {
          onProgress({ status: "parsing GGUF" });
          const gguf = await readUploaded(store, path, digest);
          onProgress({ status: `using existing layer ${parseDigest(digest)}` });
          await useModelGguf(gguf, digest);
        }
      }

      if (quantizeTo) {
        const i = layers.findIndex((l) => l.mediaType === MediaType.model);
        if (i < 0) throw new BadRequestError("no model weights: 'files' held no GGUF model and 'from' gave none");
        const source = { digest: layers[i]!.digest, gguf: await readGguf(store.blobs.path(layers[i]!.digest)) };
        // Already the requested type: nothing to rewrite.
        if (quantizeSource(source.gguf) !== quantizeTo) {
          const blob = await quantizeBlob(store, source, quantizeTo, onProgress, opts.signal);
          created.push(blob.digest);
          onProgress({ status: `creating new layer ${blob.digest}` });
          const d = describeGguf(await readGguf(store.blobs.path(blob.digest)));
          layers[i] = { mediaType: MediaType.model, ...blob };
          config = { ...config, file_type: d.quantization_level };
        }
      }

      if (req.adapters && isSafetensorsUpload(Object.keys(req.adapters))) {
        const base = layers.find((l) => l.mediaType === MediaType.model);
        if (!base) throw new BadRequestError("no model weights: a LoRA adapter needs a base model ('from' or 'files')");
        const baseGguf = await readGguf(store.blobs.path(base.digest));
        const blob = await convertAdapterFiles(store, req.adapters, baseGguf.metadata, onProgress, opts.signal);
        created.push(blob.digest);
        onProgress({ status: `creating new layer ${blob.digest}` });
        layers = layers.filter((l) => l.mediaType !== MediaType.adapter);
        layers.push({ mediaType: MediaType.adapter, ...blob });
      }

      for (const [path, digest] of Object.entries(req.adapters && !isSafetensorsUpload(Object.keys(req.adapters)) ? req.adapters : {})) {
        const gguf = await readUploaded(store, path, digest);
        const kind = describeGguf(gguf).kind;
        // Ollama sorts GGUF layers by their kind whichever list they came in: a projector (`clip`) given as
        // ADAPTER becomes the projector layer.
        if (kind === "model") throw new BadRequestError(`${path} is not a LoRA adapter (general.type is not "adapter")`);
        const mediaType = kind === "projector" ? MediaType.projector : MediaType.adapter;
        layers = layers.filter((l) => l.mediaType !== mediaType);
        layers.push({ mediaType, digest: parseDigest(digest), size: await store.blobs.size(digest) });
      }

      if (!layers.some((l) => l.mediaType === MediaType.model)) {
        throw new BadRequestError("no model weights: 'files' held no GGUF model and 'from' gave none");
      }

      // A GGUF chat template that matches one of Ollama's named templates gets that Go template.
      const hasTemplate = layers.some((l) => l.mediaType === MediaType.template || l.mediaType === MediaType.prompt);
      if (req.template === undefined && !hasTemplate && chatTemplate) {
        const named = detectNamedTemplate(chatTemplate);
        if (named) {
          onProgress({ status: `using autodetected template ${named.name}` });
          await addBlob(MediaType.template, named.template);
          params = { ...named.parameters, ...params };
        }
      }

      if (req.template !== undefined) {
        layers = layers.filter((l) => l.mediaType !== MediaType.prompt);
        await addBlob(MediaType.template, req.template);
      }
      if (req.system !== undefined) await addBlob(MediaType.system, req.system);
      if (req.license !== undefined) {
        layers = layers.filter((l) => l.mediaType !== MediaType.license);
        for (const text of Array.isArray(req.license) ? req.license : [req.license]) await addBlob(MediaType.license, text, false);
      }
      if (req.parameters && Object.keys(req.parameters).length) params = { ...params, ...req.parameters };
      if (Object.keys(params).length) await addBlob(MediaType.params, sortedJson(params));
      else layers = layers.filter((l) => l.mediaType !== MediaType.params);
      if (req.messages) {
        if (req.messages.length) {
          await addBlob(MediaType.messages, JSON.stringify(req.messages.map((m) => ({ role: m.role, content: m.content }))));
        } else {
          layers = layers.filter((l) => l.mediaType !== MediaType.messages);
        }
      }
      if (req.requires) config.requires = req.requires.replace(/^v/, "");

      // Ollama's ConfigV2 field order; empty fields omitted.
      const cfg: Record<string, unknown> = {};
      for (const k of ["model_format", "model_family", "model_families", "model_type", "file_type", "renderer", "parser", "requires"]) {
        const v = config[k];
        if (v !== undefined && v !== "" && !(Array.isArray(v) && !v.length)) cfg[k] = v;
      }
      cfg.architecture = "amd64";
      cfg.os = "linux";
      cfg.rootfs = { type: "layers", diff_ids: layers.map((l) => l.digest) };
      const cfgBlob = await store.blobs.write(JSON.stringify(cfg));

      const old = await store.readManifest(name).catch(() => undefined);
      onProgress({ status: "writing manifest" });
      await store.writeManifest(name, newManifest({ mediaType: CONFIG_MEDIA_TYPE, ...cfgBlob }, layers));
      if (intermediate) await store.removeUnreferenced([intermediate]);
      if (old) {
        await store.removeUnreferenced([old.manifest.config.digest, ...old.manifest.layers.map((l) => l.digest)]);
      }
      onProgress({ status: "success" });
    } catch (e) {
      await store.removeUnreferenced(created).catch(() => {});
      throw e;
    }
  });
}
