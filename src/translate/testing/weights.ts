// Seeded random weights and typed metadata values: what every synthetic file below is made of.

import type { GgufTypedValue, GgufWriteTensor } from "../../gguf/index.js";
import { seededRandom } from "../../testing/random.js";

/** The tests' deterministic PRNG (mulberry32), so generated files are identical between runs. */
export const rng = seededRandom;

/** IEEE half bits of `v`, truncated (subnormals flushed to zero). */
export function f32ToF16(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | (mant >>> 13);
}

export class Weights {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  /** Random values in ±scale, as F32 or F16. */
  tensor(name: string, dims: number[], type: "F32" | "F16" = "F32", scale = 0.05): GgufWriteTensor {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = Buffer.allocUnsafe(n * (type === "F32" ? 4 : 2));
    for (let i = 0; i < n; i++) {
      const v = (this.next() * 2 - 1) * scale;
      if (type === "F32") data.writeFloatLE(v, i * 4);
      else data.writeUInt16LE(f32ToF16(v), i * 2);
    }
    return { name, dims, type, data };
  }
  /** A norm weight: ones plus noise. */
  norm(name: string, n: number): GgufWriteTensor {
    const data = Buffer.allocUnsafe(n * 4);
    for (let i = 0; i < n; i++) data.writeFloatLE(1 + (this.next() - 0.5) * 0.02, i * 4);
    return { name, dims: [n], type: "F32", data };
  }
}

export type Md = Record<string, GgufTypedValue>;
export const u32 = (value: number): GgufTypedValue => ({ type: "uint32", value });
export const f32 = (value: number): GgufTypedValue => ({ type: "float32", value });
export const str = (value: string): GgufTypedValue => ({ type: "string", value });
export const meta = { u32, f32, str };
