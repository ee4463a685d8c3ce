// Element conversions between the float formats a checkpoint stores and the ones GGUF gets.
// f32→f16 and f32→bf16 round to nearest even, as PyTorch, numpy and ggml do, so a converted tensor
// has the same bits whichever tool converted it.

import type { FloatDtype } from "./safetensors.js";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half from a float bit pattern, round-to-nearest-even; NaN stays NaN, overflow becomes ±Inf. */
export function halfFromFloatBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rem > mid || (rem === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  return sign | (half + (rem > 0x1000 || (rem === 0x1000 && half & 1) ? 1 : 0));
}

export function floatFromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function bf16FromFloatBits(x: number): number {
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff; // quiet NaN
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export type OutType = "F32" | "F16" | "BF16";

/** Decodes `src` (elements of `from`) into floats. */
export function toFloat32(src: Uint8Array, from: FloatDtype): Float32Array {
  const n = src.length / (from === "F32" ? 4 : 2);
  if (from === "F32") {
    const out = new Float32Array(n);
    new Uint8Array(out.buffer).set(src);
    return out;
  }
  const h = new Uint16Array(n);
  new Uint8Array(h.buffer).set(src);
  const out = new Float32Array(n);
  if (from === "BF16") {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = h[i]! << 16;
  } else {
    for (let i = 0; i < n; i++) out[i] = floatFromHalf(h[i]!);
  }
  return out;
}

/** Encodes floats as `to`. */
export function fromFloat32(v: Float32Array, to: OutType): Uint8Array {
  if (to === "F32") return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
  const out = new Uint16Array(v.length);
  const enc = to === "F16" ? halfFromFloatBits : bf16FromFloatBits;
  for (let i = 0; i < v.length; i++) out[i] = enc(bits[i]!);
  return new Uint8Array(out.buffer);
}

/** Converts raw elements between types; the same type is returned as is. */
export function convertElements(src: Uint8Array, from: FloatDtype, to: OutType): Uint8Array {
  if ((from as string) === to) return src;
  return fromFloat32(toFloat32(src, from), to);
}

export const OUT_BYTES: Record<OutType, number> = { F32: 4, F16: 2, BF16: 2 };

// Keeps the scratch view referenced so bundlers do not drop it (used by tests through halfFromFloatBits).
export function floatBits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}
