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

/** Formats milliseconds like Go's Duration.String ("5m0s", "1h0m0s", "300ms"). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out: string;
  if (rest < 1000) {
    out = `${+rest.toFixed(6)}ms`;
  } else {
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = +(rest / 1000).toFixed(9);
    out = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  }
  return neg ? `-${out}` : out;
}
