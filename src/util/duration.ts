// Go's time.ParseDuration and Ollama's keep_alive rules (ollama-spec §1.0, §4).

import { BadRequestError } from "./errors.js";

/** Largest duration Go can hold; Ollama's "forever". In milliseconds here. */
export const FOREVER_MS = Number.MAX_SAFE_INTEGER;

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration string ("1h30m", "-1m", "0") into milliseconds. Throws Go's messages. */
export function parseGoDuration(input: string): number {
  let s = input;
  if (s === "") throw new BadRequestError(`time: invalid duration "${input}"`);
  let sign = 1;
  if (s[0] === "-" || s[0] === "+") {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw new BadRequestError(`time: invalid duration "${input}"`);
  let total = 0;
  while (s.length > 0) {
    const num = /^([0-9]*(?:\.[0-9]*)?)/.exec(s)![1];
    if (num === "" || num === ".") throw new BadRequestError(`time: invalid duration "${input}"`);
    s = s.slice(num.length);
    const unit = /^([^0-9.]*)/.exec(s)![1];
    if (unit === "") throw new BadRequestError(`time: missing unit in duration "${input}"`);
    const mult = UNITS[unit];
    if (mult === undefined) throw new BadRequestError(`time: unknown unit "${unit}" in duration "${input}"`);
    s = s.slice(unit.length);
    total += parseFloat(num) * mult;
  }
  return sign * total;
}

/**
 * keep_alive as Ollama reads it: number = seconds, string = Go duration; negative = forever.
 * Returns milliseconds (FOREVER_MS for negative values).
 */
export function parseKeepAlive(value: number | string): number {
  let ms: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new BadRequestError("invalid keep_alive");
    ms = value * 1000;
  } else {
    ms = parseGoDuration(value.trim());
  }
  return ms < 0 ? FOREVER_MS : ms;
}

/** Formats milliseconds like Go's Duration.String ("5m0s", "1h0m0s", "300ms", "1.5µs"). */
export function formatGoDuration(ms: number): string {
  return goDuration(BigInt(Math.round(ms * 1e6)));
}

/** `n` as a decimal fraction of 10^digits, trailing zeros (and a bare point) left out, as Go's fmtFrac. */
function withFraction(n: bigint, digits: number): string {
  const unit = 10n ** BigInt(digits);
  const frac = (n % unit).toString().padStart(digits, "0").replace(/0+$/, "");
  return `${n / unit}${frac ? `.${frac}` : ""}`;
}

/** Go's Duration.String of `ns` nanoseconds: below a second in ns, µs or ms; above, in h, m and s. */
export function goDuration(ns: bigint): string {
  const sign = ns < 0n ? "-" : "";
  const u = ns < 0n ? -ns : ns;
  if (u === 0n) return "0s";
  if (u < 1_000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${withFraction(u, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${withFraction(u, 6)}ms`;
  const seconds = withFraction(u % 60_000_000_000n, 9);
  const minutes = u / 60_000_000_000n;
  if (minutes === 0n) return `${sign}${seconds}s`;
  const hours = minutes / 60n;
  return `${sign}${hours ? `${hours}h` : ""}${minutes % 60n}m${seconds}s`;
}
