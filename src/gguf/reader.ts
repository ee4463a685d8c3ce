// GGUF v2/v3 header reader: metadata, tensor infos, alignment and data offset, pulled from
// disk in chunks so only the header is read. Validation (tensor types, bounds) runs by
// default; every failure is a GgufError subclass naming the problem.

import { open } from "node:fs/promises";
import { CorruptGgufError, NotGgufError, UnsupportedGgufVersionError } from "../util/errors.js";
import { ChunkReader, truncated } from "./chunk-reader.js";
import { elementCount, ggmlType, tensorByteSize } from "./ggml-types.js";

export type GgufScalarType =
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "uint32"
  | "int32"
  | "float32"
  | "bool"
  | "string"
  | "uint64"
  | "int64"
  | "float64";

/** A scalar type, or `array<T>` (nestable: `array<array<int32>>`). */
export type GgufTypeName = GgufScalarType | `array<${string}>`;

export type GgufValue = number | bigint | string | boolean | GgufValue[];

export interface GgufTensorInfo {
  name: string;
  /** ggml order: dims[0] is the innermost (row length). */
  dims: number[];
  /** ggml type id. */
  type: number;
  /** `F32`, `Q4_K`, …, or `unknown(N)`. */
  typeName: string;
  /** Offset of the data relative to `dataOffset`. */
  offset: number;
  elements: number;
  /** Bytes of data; undefined when the type is unknown. */
  size: number | undefined;
}

export interface GgufFile {
  version: number;
  metadata: Record<string, GgufValue>;
  /** The GGUF type of each metadata key, so values can be written back or rendered as Go would. */
  types: Record<string, GgufTypeName>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute file offset where tensor data begins. */
  dataOffset: number;
  fileSize: number;
  /** Bytes pulled from disk to parse the header (for tests and diagnostics). */
  bytesRead: number;
}

export const GGUF_MAGIC = 0x46554747; // "GGUF" read little-endian

/** Value type ids of the GGUF spec, in order (9 is `array`). */
export const GGUF_VALUE_TYPES: readonly (GgufScalarType | "array")[] = [
  "uint8",
  "int8",
  "uint16",
  "int16",
  "uint32",
  "int32",
  "float32",
  "bool",
  "string",
  "array",
  "uint64",
  "int64",
  "float64",
];
const ARRAY_ID = 9;

function scalarType(id: number): GgufScalarType | undefined {
  const t = GGUF_VALUE_TYPES[id];
  return t === "array" ? undefined : t;
}

const ELEMENT_BYTES: Record<string, number> = {
  uint8: 1,
  int8: 1,
  bool: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  uint64: 8,
  int64: 8,
  float64: 8,
  string: 8,
};

export interface ReadGgufOptions {
  /** Check tensor types and that all tensor data lies inside the file (default true). */
  validate?: boolean;
}

/** Read and validate a GGUF file's header. */
export async function readGguf(path: string, options: ReadGgufOptions = {}): Promise<GgufFile> {
  const fh = await open(path, "r");
  try {
    const { size } = await fh.stat();
    const r = new ChunkReader(fh, size);
    const gguf = await parse(r);
    if (options.validate ?? true) validateGguf(gguf);
    return gguf;
  } finally {
    await fh.close();
  }
}

async function parse(r: ChunkReader): Promise<GgufFile> {
  if (r.fileSize < 4) throw new NotGgufError();
  await r.fill(Math.min(r.fileSize, 24));
  if (r.u32() !== GGUF_MAGIC) throw new NotGgufError();
  if (!r.has(4)) throw truncated(r.fileSize);
  const version = r.u32();
  if (version !== 2 && version !== 3) {
    // A big-endian file shows its version byte-swapped.
    if (version >= 1 << 24 && version >>> 24 <= 3) {
      throw new CorruptGgufError("invalid GGUF file: big-endian GGUF files are not supported");
    }
    throw new UnsupportedGgufVersionError(version);
  }
  await r.fill(16);
  const tensorCount = r.count(64, 8 + 4 + 4 + 8);
  const kvCount = r.count(64, 8 + 4);

  const metadata: Record<string, GgufValue> = Object.create(null);
  const types: Record<string, GgufTypeName> = Object.create(null);
  for (let i = 0; i < kvCount; i++) {
    const key = await readString(r);
    if (!r.has(4)) await r.fill(4);
    const typeId = r.u32();
    const { value, type } = await readValue(r, typeId, key);
    metadata[key] = value;
    types[key] = type;
  }

  const tensors: GgufTensorInfo[] = new Array(tensorCount);
  for (let i = 0; i < tensorCount; i++) {
    const name = await readString(r);
    await r.fill(4);
    const nDims = r.u32();
    if (nDims > 8) throw new CorruptGgufError(`invalid GGUF file: tensor "${name}" has ${nDims} dimensions`);
    await r.fill(nDims * 8 + 4 + 8);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) {
      const v = r.u64();
      if (typeof v === "bigint") throw new CorruptGgufError(`invalid GGUF file: tensor "${name}" has an impossible shape`);
      dims.push(v);
    }
    const type = r.u32();
    const offset = r.u64();
    if (typeof offset === "bigint") throw new CorruptGgufError(`invalid GGUF file: tensor "${name}" has an impossible offset`);
    tensors[i] = {
      name,
      dims,
      type,
      typeName: ggmlType(type)?.name ?? `unknown(${type})`,
      offset,
      elements: elementCount(dims),
      size: tensorByteSize(type, dims),
    };
  }

  const rawAlignment = metadata["general.alignment"];
  const alignment = typeof rawAlignment === "number" ? rawAlignment : 32;
  if (!(alignment > 0 && (alignment & (alignment - 1)) === 0)) {
    throw new CorruptGgufError(`invalid GGUF file: general.alignment ${alignment} is not a power of two`);
  }
  const dataOffset = Math.ceil(r.pos / alignment) * alignment;
  return { version, metadata, types, tensors, alignment, dataOffset, fileSize: r.fileSize, bytesRead: r.bytesRead };
}

async function readString(r: ChunkReader): Promise<string> {
  if (!r.has(8)) await r.fill(8);
  const n = r.count(64);
  if (!r.has(n)) await r.fill(n);
  return r.utf8(n);
}

async function readValue(r: ChunkReader, typeId: number, key: string): Promise<{ value: GgufValue; type: GgufTypeName }> {
  if (typeId === ARRAY_ID) return readArray(r, key);
  const type = scalarType(typeId);
  if (type === undefined) throw unknownValueType(typeId, key);
  if (type === "string") return { value: await readString(r), type };
  if (!r.has(8)) await r.fill(Math.min(8, r.remaining()));
  if (!r.has(ELEMENT_BYTES[type]!)) throw truncated(r.fileSize);
  return { value: readScalar(r, type), type };
}

function readScalar(r: ChunkReader, type: GgufScalarType): number | bigint | boolean {
  switch (type) {
    case "uint8":
      return r.u8();
    case "int8":
      return r.i8();
    case "uint16":
      return r.u16();
    case "int16":
      return r.i16();
    case "uint32":
      return r.u32();
    case "int32":
      return r.i32();
    case "float32":
      return r.f32();
    case "bool":
      return r.u8() !== 0;
    case "uint64":
      return r.u64();
    case "int64":
      return r.i64();
    case "float64":
      return r.f64();
    default:
      throw new Error(`not a fixed-size scalar: ${type}`);
  }
}

async function readArray(r: ChunkReader, key: string): Promise<{ value: GgufValue[]; type: GgufTypeName }> {
  await r.fill(12);
  const itemId = r.u32();
  if (itemId === ARRAY_ID) {
    const n = r.count(64, 12);
    const out: GgufValue[] = new Array(n);
    let inner: GgufTypeName = "array<uint8>";
    for (let i = 0; i < n; i++) {
      const item = await readArray(r, key);
      out[i] = item.value;
      if (i === 0) inner = item.type;
    }
    return { value: out, type: `array<${inner}>` };
  }
  const itemType = scalarType(itemId);
  if (itemType === undefined) throw unknownValueType(itemId, key);
  const n = r.count(64, ELEMENT_BYTES[itemType]);
  const out: GgufValue[] = new Array(n);
  if (itemType === "string") {
    for (let i = 0; i < n; i++) {
      if (!r.has(8)) await r.fill(8);
      const len = r.count(64);
      if (!r.has(len)) await r.fill(len);
      out[i] = r.utf8(len);
    }
  } else {
    // Fixed-size items: pull the whole array in once, then decode synchronously.
    await r.fill(n * ELEMENT_BYTES[itemType]!);
    for (let i = 0; i < n; i++) out[i] = readScalar(r, itemType);
  }
  return { value: out, type: `array<${itemType}>` };
}

function unknownValueType(typeId: number, key: string): CorruptGgufError {
  return new CorruptGgufError(`invalid GGUF file: unknown metadata value type ${typeId} for key "${key}"`);
}

/** Throws CorruptGgufError for unknown tensor types, misaligned offsets or data past the end of the file. */
export function validateGguf(gguf: GgufFile): void {
  for (const t of gguf.tensors) {
    if (t.size === undefined) {
      throw new CorruptGgufError(`invalid GGUF file: tensor "${t.name}" has unknown type ${t.type}`);
    }
    if (t.offset % gguf.alignment !== 0) {
      throw new CorruptGgufError(`invalid GGUF file: tensor "${t.name}" data is not aligned to ${gguf.alignment} bytes`);
    }
    const end = gguf.dataOffset + t.offset + t.size;
    if (end > gguf.fileSize) {
      throw new CorruptGgufError(
        `invalid GGUF file: tensor "${t.name}" data ends at byte ${end}, past the end of the file (${gguf.fileSize} bytes)`,
      );
    }
  }
}
