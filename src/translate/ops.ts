// Tensor data operations some translations need, producing the output bytes in chunks read from the
// source file, so memory stays bounded by a chunk (or, for permutations, by one tensor) — never a model.

import type { FileHandle } from "node:fs/promises";
import { floatFromHalf, floatsFromBf16, floatsFromHalves } from "../gguf/index.js";

export const GGML_F32 = 0;
export const GGML_F16 = 1;
export const GGML_Q8_0 = 8;
export const GGML_BF16 = 30;

/** Bytes read per step: large enough to amortize syscalls, small beside any model. */
const CHUNK = 8 << 20;

export interface TensorOp {
  /** Output size in bytes. */
  size: number;
  /** What the operation does, for logs. */
  describe: string;
  produce(src: FileHandle): AsyncIterable<Uint8Array>;
}

export async function readExact(fh: FileHandle, at: number, size: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(size);
  let done = 0;
  while (done < size) {
    const { bytesRead } = await fh.read(buf, done, size - done, at + done);
    if (bytesRead === 0) throw new Error(`source file ends before byte ${at + size}`);
    done += bytesRead;
  }
  return buf;
}

/** A byte range in chunks. */
export async function* readRange(fh: FileHandle, at: number, size: number): AsyncIterable<Uint8Array> {
  for (let off = 0; off < size; off += CHUNK) yield await readExact(fh, at + off, Math.min(CHUNK, size - off));
}

/** F16 bytes → F32 bytes (little-endian). */
export function f16ToF32(src: Uint8Array): Buffer {
  const v = floatsFromHalves(src);
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function bf16ToF32(src: Uint8Array): Buffer {
  const v = floatsFromBf16(src);
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function q8ToF32(src: Uint8Array): Buffer {
  const blocks = Math.floor(src.length / 34);
  const out = Buffer.allocUnsafe(blocks * 32 * 4);
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let b = 0; b < blocks; b++) {
    const d = floatFromHalf(dv.getUint16(b * 34, true));
    for (let i = 0; i < 32; i++) out.writeFloatLE(d * dv.getInt8(b * 34 + 2 + i), (b * 32 + i) * 4);
  }
  return out;
}

/** Source bytes of a type → F32 bytes. */
export function toF32(type: number, src: Uint8Array): Buffer {
  switch (type) {
    case GGML_F32:
      return Buffer.from(src.buffer, src.byteOffset, src.byteLength);
    case GGML_F16:
      return f16ToF32(src);
    case GGML_BF16:
      return bf16ToF32(src);
    case GGML_Q8_0:
      return q8ToF32(src);
    default:
      throw new Error(`cannot decode ggml type ${type} to F32`);
  }
}

/** Bytes per step for a type, so a decoding chunk never splits a block. */
function chunkFor(type: number): number {
  return type === GGML_Q8_0 ? 34 * 32768 : CHUNK;
}

export function promoteF16Op(at: number, elements: number): TensorOp {
  return {
    size: elements * 4,
    describe: "F16->F32 promote",
    async *produce(fh) {
      for await (const chunk of readRange(fh, at, elements * 2)) yield f16ToF32(chunk);
    },
  };
}

export function concatOp(ranges: { at: number; size: number }[]): TensorOp {
  return {
    size: ranges.reduce((n, r) => n + r.size, 0),
    describe: "concatenate",
    async *produce(fh) {
      for (const r of ranges) yield* readRange(fh, r.at, r.size);
    },
  };
}

export function concatToF32Op(ranges: { at: number; size: number; type: number; elements: number }[]): TensorOp {
  return {
    size: ranges.reduce((n, r) => n + r.elements * 4, 0),
    describe: "decode to F32 and concatenate",
    async *produce(fh) {
      for (const r of ranges) {
        const step = chunkFor(r.type);
        for (let off = 0; off < r.size; off += step) yield toF32(r.type, await readExact(fh, r.at + off, Math.min(step, r.size - off)));
      }
    },
  };
}

export function zerosOp(size: number): TensorOp {
  return {
    size,
    describe: "zero fill",
    async *produce() {
      for (let off = 0; off < size; off += CHUNK) yield Buffer.alloc(Math.min(CHUNK, size - off));
    },
  };
}

/**
 * A permutation or reshape that needs the whole source tensor at once (vision patch embeddings and
 * attention rows: megabytes, never a model).
 */
export function wholeTensorOp(at: number, srcSize: number, size: number, describe: string, f: (src: Buffer) => Buffer): TensorOp {
  return {
    size,
    describe,
    async *produce(fh) {
      const out = f(await readExact(fh, at, srcSize));
      if (out.length !== size) throw new Error(`${describe}: produced ${out.length} bytes for ${size}`);
      yield out;
    },
  };
}
