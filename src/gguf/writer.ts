// A small GGUF writer: typed metadata plus tensors, laid out with the file's alignment.
// Tests use it to build broken files (v1, bad magic, unknown tensor types, short data);
// conversion can use it to write real ones, since tensor data is streamed, not concatenated.

import { open } from "node:fs/promises";
import { GGUF_VALUE_TYPES, type GgufFile, type GgufScalarType, type GgufTypeName, type GgufValue } from "./reader.js";
import { ggmlTypeByName, tensorByteSize } from "./ggml-types.js";

export interface GgufTypedValue {
  type: GgufTypeName;
  value: GgufValue;
}

export interface GgufWriteTensor {
  name: string;
  /** ggml order (dims[0] innermost). */
  dims: number[];
  /** ggml type id or name (`"F32"`, `"Q8_0"`). Unknown ids are written as given. */
  type: number | string;
  /** Raw data; zeros of the computed size when absent. */
  data?: Uint8Array;
  /** Streamed data (conversion): produces exactly `size` bytes when iterated, once, in file order. */
  source?: () => AsyncIterable<Uint8Array>;
  /** Byte size to reserve when the type is unknown to ggml. */
  size?: number;
}

export interface GgufWriteSpec {
  /** 1, 2 or 3 (default 3). Version 1 uses 32-bit counts and lengths, as the legacy format did. */
  version?: number;
  metadata?: Record<string, GgufTypedValue>;
  tensors?: GgufWriteTensor[];
  /** Overrides the four magic bytes (default `GGUF`), to build non-GGUF files. */
  magic?: string;
}

const TYPE_IDS = new Map<string, number>(GGUF_VALUE_TYPES.map((t, i) => [t, i]));
const ARRAY_ID = 9;

/** A growable little-endian byte sink (one buffer, so 150k-entry vocabularies stay cheap). */
class Out {
  private buf = Buffer.alloc(64 * 1024);
  length = 0;
  constructor(private readonly wide: boolean) {}
  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  push(b: Uint8Array): void {
    const at = this.room(b.length); // before touching buf: room() may replace it
    this.buf.set(b, at);
  }
  fixed(n: number, f: (b: Buffer, at: number) => void): void {
    const at = this.room(n);
    f(this.buf, at);
  }
  u32(v: number): void {
    const at = this.room(4);
    this.buf.writeUInt32LE(v, at);
  }
  /** A count or length: 64-bit from v2 on. */
  len(v: number): void {
    if (!this.wide) return this.u32(v);
    const at = this.room(8);
    this.buf.writeUInt32LE(v % 0x100000000, at);
    this.buf.writeUInt32LE(Math.floor(v / 0x100000000), at + 4);
  }
  str(s: string): void {
    const n = Buffer.byteLength(s, "utf8");
    this.len(n);
    const at = this.room(n);
    this.buf.write(s, at, "utf8");
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function writeScalar(out: Out, type: GgufScalarType, v: GgufValue): void {
  const num = typeof v === "boolean" ? Number(v) : v;
  switch (type) {
    case "uint8":
      return out.fixed(1, (b, at) => b.writeUInt8(Number(num), at));
    case "int8":
      return out.fixed(1, (b, at) => b.writeInt8(Number(num), at));
    case "bool":
      return out.fixed(1, (b, at) => b.writeUInt8(v ? 1 : 0, at));
    case "uint16":
      return out.fixed(2, (b, at) => b.writeUInt16LE(Number(num), at));
    case "int16":
      return out.fixed(2, (b, at) => b.writeInt16LE(Number(num), at));
    case "uint32":
      return out.fixed(4, (b, at) => b.writeUInt32LE(Number(num), at));
    case "int32":
      return out.fixed(4, (b, at) => b.writeInt32LE(Number(num), at));
    case "float32":
      return out.fixed(4, (b, at) => b.writeFloatLE(Number(num), at));
    case "uint64":
      return out.fixed(8, (b, at) => b.writeBigUInt64LE(BigInt(num as number | bigint), at));
    case "int64":
      return out.fixed(8, (b, at) => b.writeBigInt64LE(BigInt(num as number | bigint), at));
    case "float64":
      return out.fixed(8, (b, at) => b.writeDoubleLE(Number(num), at));
    case "string":
      return out.str(String(v));
  }
}

function writeValue(out: Out, type: GgufTypeName, v: GgufValue, withTypeId: boolean): void {
  const m = /^array<(.+)>$/.exec(type);
  if (m) {
    if (!Array.isArray(v)) throw new TypeError(`GGUF value of type ${type} must be an array`);
    const item = m[1] as GgufTypeName;
    if (withTypeId) out.u32(ARRAY_ID);
    out.u32(item.startsWith("array<") ? ARRAY_ID : typeId(item));
    out.len(v.length);
    for (const e of v) {
      if (item.startsWith("array<")) writeValue(out, item, e, false);
      else writeScalar(out, item as GgufScalarType, e);
    }
    return;
  }
  if (withTypeId) out.u32(typeId(type));
  writeScalar(out, type as GgufScalarType, v);
}

function typeId(t: string): number {
  const id = TYPE_IDS.get(t);
  if (id === undefined || id === ARRAY_ID) throw new TypeError(`unknown GGUF value type ${t}`);
  return id;
}

interface Layout {
  header: Buffer;
  /** Absolute offset of tensor data. */
  dataOffset: number;
  tensors: { name: string; offset: number; size: number; data?: Uint8Array; source?: () => AsyncIterable<Uint8Array> }[];
  totalSize: number;
}

/** A tensor entry of a header whose data offsets the caller chose (relative to the data region). */
export interface GgufHeaderTensor {
  name: string;
  dims: number[];
  /** ggml type id. */
  type: number;
  offset: number;
}

/**
 * The header bytes (magic through the tensor table, not padded): for writers that place tensor data
 * themselves, e.g. translation keeping each tensor where it already lies in a copied data region.
 * Its length does not depend on the offsets (they are fixed-width), so a caller may encode once with
 * placeholder offsets to learn where the data region starts.
 */
export function encodeGgufHeader(
  metadata: Record<string, GgufTypedValue>,
  tensors: GgufHeaderTensor[],
  opts: { version?: number; magic?: string } = {},
): Buffer {
  const version = opts.version ?? 3;
  const out = new Out(version >= 2);
  out.push(Buffer.from((opts.magic ?? "GGUF").padEnd(4, "\0").slice(0, 4), "latin1"));
  out.u32(version);
  out.len(tensors.length);
  out.len(Object.keys(metadata).length);
  for (const [key, { type, value }] of Object.entries(metadata)) {
    out.str(key);
    writeValue(out, type, value, true);
  }
  for (const t of tensors) {
    out.str(t.name);
    out.u32(t.dims.length);
    for (const d of t.dims) {
      if (version >= 2) out.fixed(8, (b, at) => b.writeBigUInt64LE(BigInt(d), at));
      else out.u32(d);
    }
    out.u32(t.type);
    out.fixed(8, (b, at) => b.writeBigUInt64LE(BigInt(t.offset), at));
  }
  return out.bytes();
}

function layout(spec: GgufWriteSpec): Layout {
  const metadata = spec.metadata ?? {};
  const tensors = spec.tensors ?? [];
  const align = metadata["general.alignment"] ? Number(metadata["general.alignment"].value) : 32;

  const placed: Layout["tensors"] = [];
  const entries: GgufHeaderTensor[] = [];
  let rel = 0;
  for (const t of tensors) {
    const id = typeof t.type === "number" ? t.type : ggmlTypeByName(t.type)?.id;
    if (id === undefined) throw new TypeError(`unknown ggml type ${t.type}`);
    const size = t.data?.length ?? t.size ?? tensorByteSize(id, t.dims) ?? 0;
    entries.push({ name: t.name, dims: t.dims, type: id, offset: rel });
    placed.push({ name: t.name, offset: rel, size, data: t.data, source: t.source });
    rel = Math.ceil((rel + size) / align) * align;
  }
  const head = encodeGgufHeader(metadata, entries, { version: spec.version, magic: spec.magic });
  const dataOffset = Math.ceil(head.length / align) * align;
  const header = Buffer.alloc(dataOffset);
  head.copy(header, 0);
  const last = placed[placed.length - 1];
  const totalSize = dataOffset + (last ? last.offset + last.size : 0);
  return { header, dataOffset, tensors: placed, totalSize };
}

/** The whole file in memory (for small test files). */
export function encodeGguf(spec: GgufWriteSpec): Buffer {
  const l = layout(spec);
  const buf = Buffer.alloc(l.totalSize);
  l.header.copy(buf, 0);
  for (const t of l.tensors) if (t.data) buf.set(t.data, l.dataOffset + t.offset);
  return buf;
}

/** Write a GGUF file, streaming each tensor's data into place. */
export async function writeGguf(path: string, spec: GgufWriteSpec): Promise<void> {
  const l = layout(spec);
  const fh = await open(path, "w");
  try {
    await fh.write(l.header, 0, l.header.length, 0);
    for (const t of l.tensors) {
      if (t.data && t.data.length > 0) await fh.write(t.data, 0, t.data.length, l.dataOffset + t.offset);
      if (t.source) {
        let at = l.dataOffset + t.offset;
        for await (const chunk of t.source()) {
          await fh.write(chunk, 0, chunk.length, at);
          at += chunk.length;
        }
      }
    }
    await fh.truncate(l.totalSize);
  } finally {
    await fh.close();
  }
}

/**
 * The whole file as a byte stream in file order (header, then each tensor padded to the alignment), so a
 * converter can pipe it straight into the blob store without holding more than one chunk. Tensors with a
 * `source` must yield exactly their `size`.
 */
export async function* ggufBytes(spec: GgufWriteSpec): AsyncGenerator<Uint8Array> {
  const l = layout(spec);
  yield l.header;
  let at = l.dataOffset;
  for (const t of l.tensors) {
    const start = l.dataOffset + t.offset;
    if (start > at) yield Buffer.alloc(start - at);
    at = start;
    if (t.source) {
      let n = 0;
      for await (const chunk of t.source()) {
        n += chunk.length;
        if (n > t.size) throw new Error(`tensor ${t.name}: source gave more than its ${t.size} bytes`);
        yield chunk;
      }
      if (n !== t.size) throw new Error(`tensor ${t.name}: source gave ${n} of its ${t.size} bytes`);
    } else {
      yield t.data ?? Buffer.alloc(t.size);
    }
    at += t.size;
  }
}

/** Byte size of the file `spec` describes. */
export function ggufSize(spec: GgufWriteSpec): number {
  return layout(spec).totalSize;
}

/** A read file's metadata in writer form, to rewrite a header with changes. */
export function typedMetadata(gguf: Pick<GgufFile, "metadata" | "types">): Record<string, GgufTypedValue> {
  const out: Record<string, GgufTypedValue> = {};
  for (const [k, value] of Object.entries(gguf.metadata)) out[k] = { type: gguf.types[k]!, value };
  return out;
}
