// A translation plan: the metadata and tensor table of one output file, edited the way Ollama's
// compat layer edits llama.cpp's in-memory view of a published blob (llama/compat/ in ollama/ollama),
// with each tensor's bytes either copied from the source file or produced by a data operation.

import type { GgufFile, GgufTypedValue, GgufTypeName, GgufValue } from "../gguf/index.js";
import { tensorByteSize } from "../gguf/index.js";
import { IncompatibleModelError } from "./errors.js";
import { GGML_F16, GGML_F32, type TensorOp, concatOp, concatToF32Op, promoteF16Op } from "./ops.js";

/** Where a tensor's bytes come from: a range of the source file, or an operation over source ranges. */
export type TensorData = { kind: "copy"; at: number; size: number } | { kind: "op"; op: TensorOp };

export interface PlanTensor {
  name: string;
  /** ggml order (dims[0] innermost). */
  dims: number[];
  /** ggml type id. */
  type: number;
  data: TensorData;
}

export interface SourceTensor {
  name: string;
  dims: number[];
  type: number;
  /** Absolute offset in the source file. */
  at: number;
  size: number;
}

export class Plan {
  readonly kv = new Map<string, GgufTypedValue>();
  tensors: PlanTensor[];
  /** Source tensors by their original name (data operations read these). */
  readonly source: Map<string, SourceTensor>;

  constructor(
    readonly gguf: GgufFile,
    keep: (name: string) => boolean = () => true,
  ) {
    for (const [k, value] of Object.entries(gguf.metadata)) this.kv.set(k, { type: gguf.types[k]!, value });
    this.source = new Map(
      gguf.tensors.map((t) => [t.name, { name: t.name, dims: t.dims, type: t.type, at: gguf.dataOffset + t.offset, size: t.size ?? 0 }]),
    );
    this.tensors = gguf.tensors
      .filter((t) => keep(t.name))
      .map((t) => ({ name: t.name, dims: [...t.dims], type: t.type, data: { kind: "copy", at: gguf.dataOffset + t.offset, size: t.size ?? 0 } }));
  }

  get arch(): string {
    const a = this.kv.get("general.architecture")?.value;
    return typeof a === "string" ? a : "";
  }

  // ---- metadata ----

  has(key: string): boolean {
    return this.kv.has(key);
  }
  value(key: string): GgufValue | undefined {
    return this.kv.get(key)?.value;
  }
  num(key: string): number | undefined {
    const v = this.kv.get(key)?.value;
    return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined;
  }
  str(key: string): string | undefined {
    const v = this.kv.get(key)?.value;
    return typeof v === "string" ? v : undefined;
  }
  set(key: string, type: GgufTypeName, value: GgufValue): void {
    this.kv.set(key, { type, value });
  }
  inject(key: string, type: GgufTypeName, value: GgufValue): void {
    if (!this.kv.has(key)) this.set(key, type, value);
  }
  remove(key: string): void {
    this.kv.delete(key);
  }
  /** Copies a key under a new name when the source exists and the destination does not (type kept). */
  copy(from: string, to: string): void {
    const v = this.kv.get(from);
    if (v && !this.kv.has(to)) this.kv.set(to, v);
  }
  /** Mirrors every `from…` key as `to…` (the originals stay, as in Ollama's rename_kv_prefix). */
  copyPrefix(from: string, to: string): void {
    for (const k of [...this.kv.keys()]) if (k.startsWith(from)) this.copy(k, to + k.slice(from.length));
  }
  /**
   * Renames every `from…` key to `to…`. Ollama's layer copies and leaves the originals unread; dropping
   * them keeps the header from growing, so the data region can stay where it is (see write.ts).
   */
  movePrefix(from: string, to: string): void {
    this.copyPrefix(from, to);
    for (const k of [...this.kv.keys()]) if (k.startsWith(from)) this.kv.delete(k);
  }
  /** Keeps only the keys `keep` accepts (a projector needs no tokenizer). */
  filterKeys(keep: (key: string) => boolean): void {
    for (const k of [...this.kv.keys()]) if (!keep(k)) this.kv.delete(k);
  }
  /** Shortens an array value to n items (a no-op when it is already that short). */
  truncateArray(key: string, n: number): void {
    const v = this.kv.get(key);
    if (v && Array.isArray(v.value) && v.value.length > n) this.kv.set(key, { type: v.type, value: v.value.slice(0, n) });
  }

  // ---- tensors ----

  tensor(name: string): PlanTensor | undefined {
    return this.tensors.find((t) => t.name === name);
  }
  hasPrefix(prefix: string): boolean {
    return this.tensors.some((t) => t.name.startsWith(prefix));
  }
  rename(from: string, to: string): void {
    const t = this.tensor(from);
    if (t) t.name = to;
  }
  /** Replaces the first occurrence of `needle` in every tensor name that holds it. */
  renameContaining(needle: string, replacement: string): void {
    for (const t of this.tensors) {
      const i = t.name.indexOf(needle);
      if (i >= 0) t.name = t.name.slice(0, i) + replacement + t.name.slice(i + needle.length);
    }
  }
  /** Drops tensors the target loader must not see (embedded vision, audio, MTP). */
  hide(...prefixes: string[]): void {
    this.tensors = this.tensors.filter((t) => !prefixes.some((p) => t.name.startsWith(p)));
  }
  add(t: PlanTensor): void {
    this.tensors.push(t);
  }
  drop(name: string): void {
    this.tensors = this.tensors.filter((t) => t.name !== name);
  }

  /** F16 → F32 (what llama.cpp's converters store for patch/position embeddings). */
  promoteF32(name: string): void {
    const t = this.tensor(name);
    if (!t || t.type !== GGML_F16 || t.data.kind !== "copy") return;
    t.type = GGML_F32;
    t.data = { kind: "op", op: promoteF16Op(t.data.at, elements(t.dims)) };
  }

  /** Replaces `dest` (which takes the first source's slot) by the byte concatenation of `sources`. */
  concat(dest: string, sources: string[], dims: number[]): void {
    const srcs = sources.map((n) => this.sourceOf(n));
    const first = this.tensor(sources[0]!)!;
    for (const n of sources.slice(1)) this.drop(n);
    first.name = dest;
    first.dims = dims;
    first.data = { kind: "op", op: concatOp(srcs.map((s) => ({ at: s.at, size: s.size }))) };
    const want = tensorByteSize(first.type, dims);
    if (want !== first.data.op.size) throw new Error(`concat ${dest}: ${first.data.op.size} bytes for ${want}`);
  }

  /** Like concat, but every source is decoded to F32 first (sources of mixed types). */
  concatF32(dest: string, sources: string[], dims: number[]): void {
    const srcs = sources.map((n) => this.sourceOf(n));
    const first = this.tensor(sources[0]!)!;
    for (const n of sources.slice(1)) this.drop(n);
    first.name = dest;
    first.dims = dims;
    first.type = GGML_F32;
    first.data = { kind: "op", op: concatToF32Op(srcs.map((s) => ({ at: s.at, size: s.size, type: s.type, elements: elements(s.dims) }))) };
  }

  /** The source tensor behind a current (possibly renamed) plan tensor name, for data operations. */
  sourceOf(name: string): SourceTensor {
    const t = this.tensor(name);
    if (!t || t.data.kind !== "copy") throw new Error(`no source bytes for ${name}`);
    const at = t.data.at;
    const s = [...this.source.values()].find((x) => x.at === at);
    if (!s) throw new Error(`no source tensor at ${at}`);
    return { ...s, name };
  }

  // ---- checks ----

  /** Throws IncompatibleModelError naming every key and tensor the translation needs but lacks. */
  require(what: { keys?: string[]; tensors?: string[] }): void {
    const keys = (what.keys ?? []).filter((k) => !this.kv.has(k));
    const tensors = (what.tensors ?? []).filter((n) => !this.source.has(n));
    if (keys.length || tensors.length) throw new IncompatibleModelError(this.arch, keys, tensors);
  }
}

export function elements(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
