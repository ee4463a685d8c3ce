import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  bf16FromFloatBits,
  floatBits,
  floatFromHalf,
  floatsFromBf16,
  floatsFromHalves,
  halfFromFloat,
  halfFromFloatBits,
  halvesFromFloats,
} from "./floats.js";

describe("half-precision rounding", () => {
  it("rounds to nearest even, keeps subnormals, overflows to infinity", () => {
    for (const x of [0, 1, -2.5, 65504, 1e-7, 6.1e-5, 0.1, 3.14159]) {
      const back = floatFromHalf(halfFromFloatBits(floatBits(x)));
      assert.ok(Math.abs(back - x) <= Math.abs(x) * 1e-3 + 6e-8, `${x} → ${back}`);
    }
    assert.equal(floatFromHalf(halfFromFloatBits(floatBits(1e6))), Infinity);
    assert.equal(halfFromFloatBits(floatBits(1 + 2 ** -11)), 0x3c00); // tie → even
    assert.equal(halfFromFloatBits(floatBits(1 + 3 * 2 ** -11)), 0x3c02); // tie → even (up)
  });

  it("rounds subnormals to nearest even too, and keeps signs, infinities and NaN", () => {
    assert.equal(halfFromFloat(2 ** -24), 0x0001); // the smallest subnormal
    assert.equal(halfFromFloat(2 ** -25), 0x0000); // half of it: a tie, to even (zero)
    assert.equal(halfFromFloat(3 * 2 ** -25), 0x0002); // 1.5 of it: a tie, to even (up)
    assert.equal(halfFromFloat(2 ** -26), 0x0000);
    assert.equal(halfFromFloat(-0), 0x8000);
    assert.equal(halfFromFloat(-Infinity), 0xfc00);
    assert.equal(halfFromFloat(65520), 0x7c00); // past the largest half, rounds to infinity
    assert.ok(Number.isNaN(floatFromHalf(halfFromFloat(NaN))));
    assert.ok(Object.is(floatFromHalf(0x8000), -0));
  });
});

describe("element arrays", () => {
  it("decodes every half exactly as floatFromHalf, from any byte offset", () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    // One byte in, so the halves are not 2-byte aligned in the buffer.
    const bytes = new Uint8Array(1 + all.byteLength).subarray(1);
    bytes.set(new Uint8Array(all.buffer));
    const out = floatsFromHalves(bytes);
    assert.equal(out.length, 65536);
    for (let h = 0; h < 65536; h++) assert.ok(Object.is(out[h], Math.fround(floatFromHalf(h))), `0x${h.toString(16)}`);
  });

  it("round-trips through F16 and BF16 arrays with the scalar encoders' bits", () => {
    const v = new Float32Array([0, -1, 0.1, 3.14159, 65504, 1e-7, -2.5e30, 1 + 2 ** -9]);
    const bits = new Uint32Array(v.buffer);
    const h = new Uint16Array(halvesFromFloats(v, "F16").slice().buffer);
    const b = new Uint16Array(halvesFromFloats(v, "BF16").slice().buffer);
    for (let i = 0; i < v.length; i++) {
      assert.equal(h[i], halfFromFloatBits(bits[i]!));
      assert.equal(b[i], bf16FromFloatBits(bits[i]!));
    }
    assert.deepEqual([...floatsFromHalves(new Uint8Array(h.buffer))], [...h].map((x) => Math.fround(floatFromHalf(x))));
    // A bfloat16 is a float's upper half: decoding restores those bits exactly.
    assert.deepEqual([...new Uint32Array(floatsFromBf16(new Uint8Array(b.buffer)).buffer)], [...b].map((x) => (x << 16) >>> 0));
  });

  it("rounds BF16 to nearest even and keeps NaN a NaN", () => {
    assert.equal(bf16FromFloatBits(floatBits(1 + 2 ** -8)), 0x3f80); // tie → even
    assert.equal(bf16FromFloatBits(floatBits(1 + 3 * 2 ** -8)), 0x3f82); // tie → even (up)
    assert.ok(Number.isNaN(floatsFromBf16(new Uint8Array(new Uint16Array([bf16FromFloatBits(floatBits(NaN))]).buffer))[0]));
  });
});
