import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { integerRange, numberRange, toDecimal, type Bound } from "./numbers.js";
import { openGrammarLab, type GrammarLab } from "./testing.js";

let lab: GrammarLab;
before(async () => {
  lab = await openGrammarLab();
});
after(async () => {
  await lab.dispose();
});

const big = (n: number | undefined) => (n === undefined ? undefined : BigInt(n));

describe("toDecimal", () => {
  it("reads the decimal a JSON number denotes, without binary noise", () => {
    assert.deepEqual(toDecimal(0.1), { negative: false, int: 0n, frac: "1" });
    assert.deepEqual(toDecimal(-2.5), { negative: true, int: 2n, frac: "5" });
    assert.deepEqual(toDecimal(1e-7), { negative: false, int: 0n, frac: "0000001" });
    assert.deepEqual(toDecimal(1.5e21), { negative: false, int: 1500000000000000000000n, frac: "" });
    assert.deepEqual(toDecimal(-0), { negative: false, int: 0n, frac: "" });
  });
});

describe("integer ranges, judged by llama.cpp's grammar engine", () => {
  const cases: [number | undefined, number | undefined][] = [
    [2, 9], [0, 120], [-30, 30], [-120, -7], [7, 7], [1, 1000], [15, 311], [99, 101], [-5, undefined],
    [0, undefined], [23, undefined], [undefined, 0], [undefined, -13], [undefined, 57], [100, 199],
  ];
  for (const [lo, hi] of cases) {
    it(`[${lo ?? "-∞"}, ${hi ?? "∞"}] accepts exactly its integers, canonically spelled`, async () => {
      const g = `root ::= ${integerRange(big(lo), big(hi))}\n`;
      const wrong: string[] = [];
      const xs = new Set<number>();
      for (let x = -130; x <= 130; x++) xs.add(x);
      for (const b of [lo, hi, 1000, -1000, 100000]) if (b !== undefined) for (let d = -3; d <= 3; d++) xs.add(b + d);
      for (const x of xs) {
        const inside = (lo === undefined || x >= lo) && (hi === undefined || x <= hi);
        if ((await lab.accepts(g, String(x))) !== inside) wrong.push(String(x));
      }
      for (const spelled of ["007", "-0", "+5", "5.0", "1e2", ""]) if (await lab.accepts(g, spelled)) wrong.push(spelled);
      assert.deepEqual(wrong, []);
    });
  }

  it("keeps bounds beyond 2^53 exact", async () => {
    const g = `root ::= ${integerRange(-9007199254740991n, 9007199254740991n)}\n`;
    assert.equal(await lab.accepts(g, "9007199254740991"), true);
    assert.equal(await lab.accepts(g, "9007199254740992"), false);
    assert.equal(await lab.accepts(g, "-9007199254740991"), true);
    assert.equal(await lab.accepts(g, "-9007199254740992"), false);
  });

  it("an empty range has no grammar", () => {
    assert.equal(integerRange(5n, 4n), undefined);
  });
});

describe("number ranges, judged by llama.cpp's grammar engine", () => {
  const bound = (v: number | undefined, exclusive = false): Bound | undefined => (v === undefined ? undefined : { value: toDecimal(v), exclusive });
  const samples = [
    -1000, -12.5, -2, -1.5, -1, -0.75, -0.5, -0.25, -0.1, -0.01, 0, 0.001, 0.01, 0.1, 0.2, 0.25, 0.3, 0.5, 0.75, 0.99, 1, 1.01, 1.5, 2, 2.5,
    3.14159, 9.99, 10, 10.5, 99.5, 100, 100.25, 1234.5,
  ];
  const cases: [number | undefined, boolean, number | undefined, boolean][] = [
    [0, true, 1, false], // zod .gt(0).lte(1)
    [0, false, 1, false],
    [0, false, 1, true],
    [-1, false, 1, false],
    [0.25, false, 0.75, false],
    [0.25, true, 0.75, true],
    [-2.5, false, -0.5, true],
    [1.5, false, 100.25, false],
    [0, false, undefined, false],
    [0, true, undefined, false],
    [undefined, false, 0, false],
    [undefined, false, 0, true],
    [-1.5, false, undefined, false],
    [undefined, false, 2.5, false],
    [3.14159, false, 3.14159, false],
  ];
  for (const [lo, loEx, hi, hiEx] of cases) {
    it(`${loEx ? "(" : "["}${lo ?? "-∞"}, ${hi ?? "∞"}${hiEx ? ")" : "]"} accepts the numbers inside and no others`, async () => {
      const g = `root ::= ${numberRange(bound(lo, loEx), bound(hi, hiEx))}\n`;
      const wrong: string[] = [];
      for (const x of samples) {
        const inside = (lo === undefined || (loEx ? x > lo : x >= lo)) && (hi === undefined || (hiEx ? x < hi : x <= hi));
        if ((await lab.accepts(g, String(x))) !== inside) wrong.push(String(x));
      }
      // Other spellings of values: trailing zeros are inside exactly when the value is.
      if (lo !== undefined && !loEx && (await lab.accepts(g, `${lo}0`.includes(".") ? `${lo}0` : `${lo}.0`)) === false) wrong.push(`${lo}.0`);
      if (await lab.accepts(g, "-0")) wrong.push("-0");
      assert.deepEqual(wrong, []);
    });
  }

  it("an empty range has no grammar", () => {
    assert.equal(numberRange(bound(1, true), bound(1)), undefined);
    assert.equal(numberRange(bound(2), bound(1)), undefined);
  });
});
