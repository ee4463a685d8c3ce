// Element conversions between the float formats a checkpoint stores and the ones GGUF gets, over
// the F16/BF16 codec in gguf/floats.ts (round to nearest even, so a converted tensor has the same bits
// whichever tool converted it).

import { floatsFromBf16, floatsFromHalves, halvesFromFloats } from "../gguf/index.js";
import type { FloatDtype } from "./safetensors.js";

export type OutType = "F32" | "F16" | "BF16";

/** Decodes `src` (elements of `from`) into floats. */
export function toFloat32(src: Uint8Array, from: FloatDtype): Float32Array {
  if (from === "F16") return floatsFromHalves(src);
  if (from === "BF16") return floatsFromBf16(src);
  const out = new Float32Array(src.length / 4);
  new Uint8Array(out.buffer).set(src);
  return out;
}

/** Encodes floats as `to`. */
export function fromFloat32(v: Float32Array, to: OutType): Uint8Array {
  if (to === "F32") return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return halvesFromFloats(v, to);
}

/** Converts raw elements between types; the same type is returned as is. */
export function convertElements(src: Uint8Array, from: FloatDtype, to: OutType): Uint8Array {
  if ((from as string) === to) return src;
  return fromFloat32(toFloat32(src, from), to);
}

export const OUT_BYTES: Record<OutType, number> = { F32: 4, F16: 2, BF16: 2 };
