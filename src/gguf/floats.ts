// The 16-bit float element types of GGUF tensors (ggml's F16 and BF16) to and from 32-bit floats: the
// one codec the converter, the translator and the test-model generators share. Encoding rounds to
// nearest even, as PyTorch, numpy and ggml do, so a tensor has the same bits whichever tool wrote it.
// Arrays are read in the machine's byte order: little-endian, as GGUF files and every platform herd
// runs on are.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The bit pattern of `x` rounded to a 32-bit float. */
export function floatBits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

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

/** IEEE half bits of `x` (first rounded to a 32-bit float, as a stored F32 value would be). */
export function halfFromFloat(x: number): number {
  return halfFromFloatBits(floatBits(x));
}

export function floatFromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** bfloat16 from a float bit pattern, round-to-nearest-even; NaN stays a (quiet) NaN. */
export function bf16FromFloatBits(x: number): number {
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff; // quiet NaN
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

// Half → float by table: 65536 entries cost 256 KiB once and make decoding a lookup per element.
let halfTable: Float32Array | undefined;
function halves(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = floatFromHalf(h);
  return (halfTable = t);
}

/** 16-bit elements of `src` (any byte offset) as an aligned array. */
function words(src: Uint8Array): Uint16Array {
  const w = new Uint16Array(src.length >> 1);
  new Uint8Array(w.buffer).set(src.subarray(0, w.length * 2));
  return w;
}

/** F16 elements → floats. */
export function floatsFromHalves(src: Uint8Array): Float32Array {
  const table = halves();
  const h = words(src);
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) out[i] = table[h[i]!]!;
  return out;
}

/** BF16 elements → floats (exact: a bfloat16 is a float's upper half). */
export function floatsFromBf16(src: Uint8Array): Float32Array {
  const h = words(src);
  const out = new Float32Array(h.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < h.length; i++) bits[i] = h[i]! << 16;
  return out;
}

/** Floats → F16 or BF16 elements. */
export function halvesFromFloats(v: Float32Array, to: "F16" | "BF16"): Uint8Array {
  const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
  const out = new Uint16Array(v.length);
  const enc = to === "F16" ? halfFromFloatBits : bf16FromFloatBits;
  for (let i = 0; i < v.length; i++) out[i] = enc(bits[i]!);
  return new Uint8Array(out.buffer);
}
