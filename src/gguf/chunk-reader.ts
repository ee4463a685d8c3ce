// A forward-only little-endian reader over a file handle that pulls the file in growing
// chunks, so a header can be parsed without reading the tensor data behind it. Callers
// check `has(n)` synchronously and only `await fill(n)` when the buffer runs dry, which
// keeps 150k-entry vocabularies from paying one await per string.

import type { FileHandle } from "node:fs/promises";
import { CorruptGgufError } from "../util/errors.js";

const FIRST_CHUNK = 256 * 1024;
const MAX_CHUNK = 16 * 1024 * 1024;

export class ChunkReader {
  private buf: Buffer = Buffer.alloc(0);
  /** File offset of buf[0]. */
  private bufStart = 0;
  private chunk = FIRST_CHUNK;
  /** Absolute file offset of the next byte to read. */
  pos = 0;
  /** Total bytes pulled from disk so far. */
  bytesRead = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly fileSize: number,
  ) {}

  /** True when the next n bytes are already buffered. */
  has(n: number): boolean {
    return this.pos + n <= this.bufStart + this.buf.length;
  }

  remaining(): number {
    return this.fileSize - this.pos;
  }

  /** Make the next n bytes available, or fail with a truncation error. */
  async fill(n: number): Promise<void> {
    if (this.has(n)) return;
    if (this.pos + n > this.fileSize) throw truncated(this.fileSize);
    const keepFrom = this.pos - this.bufStart;
    const tail = this.buf.subarray(keepFrom);
    const want = Math.min(Math.max(n - tail.length, this.chunk), this.fileSize - (this.bufStart + this.buf.length));
    const next = Buffer.allocUnsafe(tail.length + want);
    tail.copy(next, 0);
    let filled = 0;
    while (filled < want) {
      const { bytesRead } = await this.fh.read(next, tail.length + filled, want - filled, this.bufStart + this.buf.length + filled);
      if (bytesRead === 0) throw truncated(this.fileSize);
      filled += bytesRead;
    }
    this.bytesRead += want;
    this.bufStart = this.pos;
    this.buf = next;
    this.chunk = Math.min(this.chunk * 2, MAX_CHUNK);
  }

  private at(n: number): number {
    const off = this.pos - this.bufStart;
    this.pos += n;
    return off;
  }

  u8(): number {
    return this.buf.readUInt8(this.at(1));
  }
  i8(): number {
    return this.buf.readInt8(this.at(1));
  }
  u16(): number {
    return this.buf.readUInt16LE(this.at(2));
  }
  i16(): number {
    return this.buf.readInt16LE(this.at(2));
  }
  u32(): number {
    return this.buf.readUInt32LE(this.at(4));
  }
  i32(): number {
    return this.buf.readInt32LE(this.at(4));
  }
  f32(): number {
    return this.buf.readFloatLE(this.at(4));
  }
  f64(): number {
    return this.buf.readDoubleLE(this.at(8));
  }
  /** uint64 as a number when exact, else a bigint. Two 32-bit reads avoid BigInt on the hot path. */
  u64(): number | bigint {
    const off = this.at(8);
    const lo = this.buf.readUInt32LE(off);
    const hi = this.buf.readUInt32LE(off + 4);
    if (hi < 0x200000) return hi * 0x100000000 + lo;
    return this.buf.readBigUInt64LE(off);
  }
  i64(): number | bigint {
    const v = this.buf.readBigInt64LE(this.at(8));
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
  }
  utf8(n: number): string {
    const off = this.at(n);
    return utf8Slice(this.buf, off, off + n);
  }
  /** A length or count field: must fit a number and the rest of the file. */
  count(bits: 32 | 64, perItem = 1): number {
    const v = bits === 32 ? this.u32() : this.u64();
    if (typeof v === "bigint" || v * perItem > this.remaining()) throw truncated(this.fileSize);
    return v;
  }
}

// Buffer#utf8Slice skips toString's argument handling: about twice as fast for the
// hundreds of thousands of short strings in a vocabulary.
type Utf8Sliceable = Buffer & { utf8Slice?: (start: number, end: number) => string };
function utf8Slice(buf: Utf8Sliceable, start: number, end: number): string {
  return buf.utf8Slice ? buf.utf8Slice(start, end) : buf.toString("utf8", start, end);
}

export function truncated(fileSize: number): CorruptGgufError {
  return new CorruptGgufError(`invalid GGUF file: header is truncated (file is ${fileSize} bytes)`);
}
