// SentencePiece `tokenizer.model`: a protobuf `ModelProto` whose field 1 repeats `SentencePiece
// { 1: piece (string), 2: score (float), 3: type (enum: 1 normal, 2 unknown, 3 control, 4 user-defined,
// 5 unused, 6 byte) }`. Decoded by hand (only these fields matter); encoded too, for test fixtures.

import { ConversionError } from "../util/errors.js";

export interface Piece {
  piece: string;
  score: number;
  /** SentencePiece type; 1 (normal) when absent. */
  type: number;
}

class Cursor {
  at = 0;
  constructor(readonly buf: Buffer) {}
  varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (this.at >= this.buf.length) throw new ConversionError("tokenizer.model: truncated protobuf");
      const b = this.buf[this.at++]!;
      v += (b & 0x7f) * mul;
      if (!(b & 0x80)) return v;
      mul *= 128;
    }
  }
  /** Skips or returns the payload of a field of wire type `wt`. */
  field(wt: number): Buffer | number {
    switch (wt) {
      case 0:
        return this.varint();
      case 1:
        this.at += 8;
        return 0;
      case 2: {
        const n = this.varint();
        const b = this.buf.subarray(this.at, this.at + n);
        if (b.length < n) throw new ConversionError("tokenizer.model: truncated protobuf");
        this.at += n;
        return b;
      }
      case 5: {
        const v = this.buf.readFloatLE(this.at);
        this.at += 4;
        return v;
      }
      default:
        throw new ConversionError(`tokenizer.model: not a SentencePiece model (wire type ${wt})`);
    }
  }
}

export function decodeSentencePiece(buf: Buffer): Piece[] {
  const top = new Cursor(buf);
  const pieces: Piece[] = [];
  while (top.at < buf.length) {
    const key = top.varint();
    const payload = top.field(key & 7);
    if (key >>> 3 !== 1 || !Buffer.isBuffer(payload)) continue;
    const c = new Cursor(payload);
    const p: Piece = { piece: "", score: 0, type: 1 };
    while (c.at < payload.length) {
      const k = c.varint();
      const v = c.field(k & 7);
      if (k >>> 3 === 1 && Buffer.isBuffer(v)) p.piece = v.toString("utf8");
      else if (k >>> 3 === 2 && typeof v === "number") p.score = v;
      else if (k >>> 3 === 3 && typeof v === "number") p.type = v;
    }
    pieces.push(p);
  }
  if (!pieces.length) throw new ConversionError("tokenizer.model: no pieces");
  return pieces;
}

function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A minimal `ModelProto` holding only pieces (test fixtures; SentencePiece itself needs more). */
export function encodeSentencePiece(pieces: Piece[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of pieces) {
    const s = Buffer.from(p.piece, "utf8");
    const score = Buffer.alloc(4);
    score.writeFloatLE(p.score);
    const body = Buffer.concat([Buffer.from([0x0a, ...varint(s.length)]), s, Buffer.from([0x15]), score, Buffer.from([0x18, ...varint(p.type)])]);
    parts.push(Buffer.from([0x0a, ...varint(body.length)]), body);
  }
  return Buffer.concat(parts);
}
