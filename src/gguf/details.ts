// What Ollama derives from a GGUF header: model details for /api/tags and manifests,
// `model_info` and `tensors` for /api/show.

import { fileTypeName } from "./ggml-types.js";
import { humanNumber, shortestFloat32 } from "./numbers.js";
import type { GgufFile, GgufTypeName, GgufValue } from "./reader.js";

export type GgufKind = "model" | "adapter" | "projector";

export interface GgufModelDetails {
  format: "gguf";
  family: string;
  families: string[];
  /** Ollama's HumanNumber of the parameter count, e.g. `293K`, `8.03B`. */
  parameter_size: string;
  quantization_level: string;
  context_length?: number;
  embedding_length?: number;
  architecture: string;
  /** `<arch>.pooling_type` when present (embedding models). */
  pooling_type?: number;
  /** `<arch>.vision.block_count` present: the weights carry their own vision encoder. */
  vision: boolean;
  /** `tokenizer.chat_template`, when the file carries one. */
  chat_template?: string;
  fileTypeName: string;
  parameterCount: number;
  kind: GgufKind;
}

const PROJECTOR_TYPES = new Set(["clip-vision", "mmproj", "projector"]);

function num(v: GgufValue | undefined): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return undefined;
}

/** Sum of all tensor element counts (what Ollama stores as general.parameter_count). */
export function parameterCount(gguf: GgufFile): number {
  let n = 0;
  for (const t of gguf.tensors) n += t.elements;
  return n;
}

export function ggufKind(gguf: GgufFile): GgufKind {
  const type = gguf.metadata["general.type"];
  if (type === "adapter") return "adapter";
  if (gguf.metadata["general.architecture"] === "clip" || (typeof type === "string" && PROJECTOR_TYPES.has(type))) {
    return "projector";
  }
  return "model";
}

/**
 * The quantization name: from `general.file_type`, else (older converters omit it) the
 * type holding most elements among the matrices, which is what the file is "in".
 */
export function quantizationLevel(gguf: GgufFile): string {
  const ft = num(gguf.metadata["general.file_type"]);
  if (ft !== undefined) return fileTypeName(ft);
  const byType = new Map<string, number>();
  for (const t of gguf.tensors) {
    if (t.dims.length < 2) continue;
    byType.set(t.typeName, (byType.get(t.typeName) ?? 0) + t.elements);
  }
  if (byType.size === 0) for (const t of gguf.tensors) byType.set(t.typeName, (byType.get(t.typeName) ?? 0) + t.elements);
  let best = "unknown";
  let most = -1;
  for (const [name, n] of byType) {
    if (n > most) {
      best = name;
      most = n;
    }
  }
  return best;
}

/** Everything Ollama derives from a GGUF header about the model it holds (details, capabilities). */
export function describeGguf(gguf: GgufFile): GgufModelDetails {
  const md = gguf.metadata;
  const arch = typeof md["general.architecture"] === "string" ? (md["general.architecture"] as string) : "unknown";
  const count = parameterCount(gguf);
  const quant = quantizationLevel(gguf);
  const details: GgufModelDetails = {
    format: "gguf",
    family: arch,
    families: [arch],
    parameter_size: humanNumber(count),
    quantization_level: quant,
    architecture: arch,
    fileTypeName: quant,
    parameterCount: count,
    kind: ggufKind(gguf),
    vision: md[`${arch}.vision.block_count`] !== undefined,
  };
  const chatTemplate = md["tokenizer.chat_template"];
  if (typeof chatTemplate === "string") details.chat_template = chatTemplate;
  const ctx = num(md[`${arch}.context_length`]);
  if (ctx !== undefined) details.context_length = ctx;
  const embd = num(md[`${arch}.embedding_length`]);
  if (embd !== undefined) details.embedding_length = embd;
  const pooling = num(md[`${arch}.pooling_type`]);
  if (pooling !== undefined) details.pooling_type = pooling;
  return details;
}

export interface ModelInfoOptions {
  /** Include array contents (Ollama's `verbose`). */
  verbose?: boolean;
}

function render(v: GgufValue, type: GgufTypeName): unknown {
  if (typeof v === "bigint") return Number(v); // JSON has no bigint; Go prints the exact digits
  if (typeof v === "number" && type === "float32") return shortestFloat32(v);
  if (Array.isArray(v)) {
    const item = type.slice("array<".length, -1) as GgufTypeName;
    return v.map((e) => render(e, item));
  }
  return v;
}

/**
 * `model_info` for /api/show, as Ollama builds it: the header's key/values plus
 * `general.parameter_count`, without `general.name` and `tokenizer.chat_template`, keys
 * sorted (Go marshals maps sorted). Without `verbose`, Ollama decodes no array contents,
 * so every non-empty array is `null` (measured against Ollama; its docs still show `[]`).
 */
export function modelInfo(gguf: GgufFile, options: ModelInfoOptions = {}): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const [k, v] of Object.entries(gguf.metadata)) {
    if (k === "general.name" || k === "tokenizer.chat_template" || k === "general.parameter_count") continue;
    if (Array.isArray(v) && !options.verbose) {
      entries.push([k, v.length === 0 ? [] : null]);
      continue;
    }
    entries.push([k, render(v, gguf.types[k]!)]);
  }
  entries.push(["general.parameter_count", parameterCount(gguf)]);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

export interface TensorSummary {
  name: string;
  type: string;
  shape: number[];
}

/** `tensors` for /api/show. */
export function tensorsInfo(gguf: GgufFile): TensorSummary[] {
  return gguf.tensors.map((t) => ({ name: t.name, type: t.typeName, shape: [...t.dims] }));
}
