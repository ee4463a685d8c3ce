// Seeded random weights and typed metadata values: what every synthetic file below is made of.

import { type GgufTypedValue, type GgufWriteTensor, halfFromFloat } from "../../gguf/index.js";
import { seededRandom } from "../../testing/random.js";

/** The tests' deterministic PRNG (mulberry32), so generated files are identical between runs. */
export const rng = seededRandom;

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
      else data.writeUInt16LE(halfFromFloat(v), i * 2);
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
