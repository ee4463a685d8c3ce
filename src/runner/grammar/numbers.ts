// Numeric ranges as grammars. JSON numbers are text, so `minimum: 2, maximum: 9` becomes rules over
// digits: for integers, one alternative per digit count, each split at the first digit where the
// bounds differ (as llama.cpp's json-schema-to-grammar does); for decimals, the same on the integer
// part and a digit-by-digit comparison on the fraction. Range-bound numbers are written without an
// exponent: a narrower set of spellings, every one of them inside the range.

import { literal } from "./gbnf.js";

/** Digits allowed in an unbounded integer part and in a fraction, as llama.cpp's primitives. */
export const MAX_DIGITS = 16;

/** An exact decimal: sign, integer part, fraction digits without trailing zeros. */
export interface Decimal {
  negative: boolean;
  int: bigint;
  frac: string;
}

export interface Bound {
  value: Decimal;
  exclusive: boolean;
}

/** The decimal a JSON number denotes, from its shortest round-trip spelling (no binary noise). */
export function toDecimal(n: number): Decimal {
  const [mantissa, expPart] = Math.abs(n).toString().split("e");
  const exp = expPart === undefined ? 0 : Number(expPart);
  const [ip, fp = ""] = mantissa!.split(".");
  let digits = ip! + fp;
  let point = ip!.length + exp;
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += "0".repeat(point - digits.length);
  const int = BigInt(digits.slice(0, point) || "0");
  const frac = digits.slice(point).replace(/0+$/, "");
  return { negative: n < 0 && (int > 0n || frac !== ""), int, frac };
}

const isZeros = (s: string) => /^0*$/.test(s);
const digitRange = (a: number, b: number) => (a === b ? `[${a}]` : `[${a}-${b}]`);
const anyDigits = (n: number) => (n === 0 ? "" : n === 1 ? "[0-9]" : `[0-9]{${n}}`);

function alternatives(alts: string[]): string {
  return alts.length === 1 ? alts[0]! : `(${alts.join(" | ")})`;
}

/** Same-length digit strings a..b (a <= b), as a grammar expression. */
function sameLength(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const prefix = a.slice(0, i);
  if (i === a.length) return literal(prefix);
  const rest = a.length - i - 1;
  const lo = Number(a[i]);
  const hi = Number(b[i]);
  const alts: string[] = [];
  if (rest === 0) alts.push(digitRange(lo, hi));
  else {
    const aTail = a.slice(i + 1);
    const bTail = b.slice(i + 1);
    const loFull = isZeros(aTail);
    const hiFull = /^9*$/.test(bTail);
    const midLo = loFull ? lo : lo + 1;
    const midHi = hiFull ? hi : hi - 1;
    if (!loFull) alts.push(`${literal(String(lo))} ${sameLength(aTail, "9".repeat(rest))}`);
    if (midLo <= midHi) alts.push(`${digitRange(midLo, midHi)} ${anyDigits(rest)}`);
    if (!hiFull) alts.push(`${literal(String(hi))} ${sameLength("0".repeat(rest), bTail)}`);
  }
  const body = alternatives(alts);
  return prefix ? `${literal(prefix)} ${body}` : body;
}

/**
 * Canonical spellings (no leading zeros) of the integers lo..hi, lo >= 0; hi undefined means up to
 * MAX_DIGITS digits (or lo's length, if longer). Returns undefined for an empty range.
 */
export function nonNegativeIntegers(lo: bigint, hi: bigint | undefined): string | undefined {
  const loDigits = lo.toString().length;
  const cap = 10n ** BigInt(Math.max(MAX_DIGITS, loDigits)) - 1n;
  const top = hi === undefined || hi > cap ? cap : hi;
  if (top < lo) return undefined;
  const alts: string[] = [];
  for (let n = loDigits; n <= top.toString().length; n++) {
    const first = n === 1 ? 0n : 10n ** BigInt(n - 1);
    const last = 10n ** BigInt(n) - 1n;
    const a = lo > first ? lo : first;
    const b = top < last ? top : last;
    if (a <= b) alts.push(sameLength(a.toString(), b.toString()));
  }
  return alternatives(alts);
}

/** JSON integers in [lo, hi] (either end open when undefined). Undefined when none exist. */
export function integerRange(lo: bigint | undefined, hi: bigint | undefined): string | undefined {
  if (lo !== undefined && hi !== undefined && lo > hi) return undefined;
  const alts: string[] = [];
  if (lo === undefined || lo < 0n) {
    // Negative side: "-" then magnitudes in [max(1, -hi), -lo].
    const magLo = hi !== undefined && hi < 0n ? -hi : 1n;
    const neg = nonNegativeIntegers(magLo, lo === undefined ? undefined : -lo);
    if (neg) alts.push(`"-" ${neg}`);
  }
  if (hi === undefined || hi >= 0n) {
    const pos = nonNegativeIntegers(lo !== undefined && lo > 0n ? lo : 0n, hi);
    if (pos) alts.push(pos);
  }
  return alts.length ? alternatives(alts) : undefined;
}

interface FracBound {
  digits: string;
  exclusive: boolean;
}

interface FracSet {
  /** The empty fraction (an integer-valued spelling) is in the set. */
  empty: boolean;
  /** Non-empty digit strings in the set, or undefined. */
  digits?: string;
}

/**
 * Fraction digit strings F (at most `budget` digits) with lo <= 0.F <= hi (strict where exclusive),
 * comparing digit by digit with zero padding.
 */
function fractions(lo: FracBound | undefined, hi: FracBound | undefined, budget: number): FracSet {
  if (lo && !lo.exclusive && isZeros(lo.digits)) lo = undefined;
  const emptyOk = lo === undefined && !(hi && hi.exclusive && isZeros(hi.digits));
  if (budget === 0) return { empty: emptyOk };
  if (!lo && !hi) return { empty: true, digits: `[0-9]{1,${budget}}` };
  if (lo && !hi && isZeros(lo.digits)) {
    // Above zero (exclusive): the spellings ending in a non-zero digit, canonical and compact.
    return { empty: false, digits: budget > 1 ? `[0-9]{0,${budget - 1}} [1-9]` : "[1-9]" };
  }
  if (hi && isZeros(hi.digits)) {
    // Only zeros reach a zero upper bound, and only when it is inclusive (lo is gone by then).
    return hi.exclusive || lo ? { empty: false } : { empty: true, digits: `"0"{1,${budget}}` };
  }
  const loD = lo ? Number(lo.digits[0] ?? "0") : -1;
  const hiD = hi ? Number(hi.digits[0]) : 10;
  const rest = (b: FracBound | undefined) => (b ? { digits: b.digits.slice(1), exclusive: b.exclusive } : undefined);
  const alts: string[] = [];
  const tail = (d: number, set: FracSet) => {
    if (set.digits && set.empty) alts.push(`[${d}] (${set.digits})?`);
    else if (set.digits) alts.push(`[${d}] ${set.digits}`);
    else if (set.empty) alts.push(`[${d}]`);
  };
  if (lo && hi && loD === hiD) tail(loD, fractions(rest(lo), rest(hi), budget - 1));
  else {
    if (lo) tail(loD, fractions(rest(lo), undefined, budget - 1));
    const a = loD + 1;
    const b = hiD - 1;
    if (a <= b) alts.push(budget > 1 ? `${digitRange(a, b)} [0-9]{0,${budget - 1}}` : digitRange(a, b));
    if (hi) tail(hiD, fractions(undefined, rest(hi), budget - 1));
  }
  return { empty: emptyOk, digits: alts.length ? alternatives(alts) : undefined };
}

function fractionPart(set: FracSet): string | undefined {
  if (set.digits) return set.empty ? `("." ${set.digits})?` : `"." ${set.digits}`;
  return set.empty ? "" : undefined;
}

const join = (a: string, b: string) => (b ? `${a} ${b}` : a);

/** Non-negative numbers y with lo <= y <= hi (lo.value >= 0), without exponent. */
function nonNegativeNumbers(lo: Bound, hi: Bound | undefined): string[] {
  const loF: FracBound = { digits: lo.value.frac, exclusive: lo.exclusive };
  const hiF: FracBound | undefined = hi && { digits: hi.value.frac, exclusive: hi.exclusive };
  const alts: string[] = [];
  const push = (int: string | undefined, frac: string | undefined) => {
    if (int !== undefined && frac !== undefined) alts.push(join(int, frac));
  };
  const loInt = lo.value.int;
  if (hi && hi.value.int === loInt) {
    push(literal(loInt.toString()), fractionPart(fractions(loF, hiF, MAX_DIGITS)));
    return alts;
  }
  push(literal(loInt.toString()), fractionPart(fractions(loF, undefined, MAX_DIGITS)));
  const any = fractionPart(fractions(undefined, undefined, MAX_DIGITS))!;
  push(nonNegativeIntegers(loInt + 1n, hi ? hi.value.int - 1n : undefined), any);
  if (hi) push(literal(hi.value.int.toString()), fractionPart(fractions(undefined, hiF, MAX_DIGITS)));
  return alts;
}

const ZERO: Decimal = { negative: false, int: 0n, frac: "" };

function compare(a: Decimal, b: Decimal): number {
  const sign = (d: Decimal) => (d.negative ? -1 : 1);
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const s = sign(a);
  if (a.int !== b.int) return a.int < b.int ? -s : s;
  const len = Math.max(a.frac.length, b.frac.length);
  const fa = a.frac.padEnd(len, "0");
  const fb = b.frac.padEnd(len, "0");
  return fa === fb ? 0 : fa < fb ? -s : s;
}

const magnitude = (d: Decimal): Decimal => ({ ...d, negative: false });

/** JSON numbers between the bounds (either may be absent). Undefined when none exist. */
export function numberRange(lo: Bound | undefined, hi: Bound | undefined): string | undefined {
  if (lo && hi) {
    const c = compare(lo.value, hi.value);
    if (c > 0 || (c === 0 && (lo.exclusive || hi.exclusive))) return undefined;
  }
  const alts: string[] = [];
  if (!lo || lo.value.negative) {
    // x < 0 is "-" y with y > 0: y above max(0, -hi), below -lo.
    const yLo: Bound = hi && hi.value.negative ? { value: magnitude(hi.value), exclusive: hi.exclusive } : { value: ZERO, exclusive: true };
    const yHi: Bound | undefined = lo && { value: magnitude(lo.value), exclusive: lo.exclusive };
    const neg = nonNegativeNumbers(yLo, yHi);
    if (neg.length) alts.push(`"-" ${alternatives(neg)}`);
  }
  if (!hi || !hi.value.negative) {
    const zLo: Bound = lo && !lo.value.negative ? lo : { value: ZERO, exclusive: false };
    alts.push(...nonNegativeNumbers(zLo, hi));
  }
  return alts.length ? alternatives(alts) : undefined;
}
