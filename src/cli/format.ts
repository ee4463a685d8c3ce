// Terminal formatting as Ollama's CLI prints it: borderless tables, relative times, durations.

export { humanBytes } from "../util/bytes.js";

/** Left-aligned columns separated by at least 4 spaces (Ollama's tabwriter settings). */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] + 4))).join("").trimEnd())
    .join("\n");
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** "2 weeks ago", "About a minute ago", "Less than a second ago" (Ollama's format.HumanTime). */
export function humanTimeAgo(date: Date, now = Date.now()): string {
  const s = Math.round((now - date.getTime()) / 1000);
  return relative(s) + " ago";
}

/** "4 minutes from now", "Forever" past 20 years. */
export function humanTimeFromNow(date: Date, now = Date.now()): string {
  const s = Math.round((date.getTime() - now) / 1000);
  if (s > 20 * 365 * 86400) return "Forever";
  if (s < 0) return "Stopping...";
  return relative(s) + " from now";
}

function relative(s: number): string {
  if (s < 1) return "Less than a second";
  if (s < 60) return plural(s, "second");
  const m = Math.round(s / 60);
  if (m === 1) return "About a minute";
  if (m < 60) return plural(m, "minute");
  const h = Math.round(s / 3600);
  if (h === 1) return "About an hour";
  if (h < 48) return plural(h, "hour");
  const d = Math.round(s / 86400);
  if (d < 14) return plural(d, "day");
  const w = Math.round(s / (7 * 86400));
  if (d < 60) return plural(w, "week");
  const mo = Math.round(s / (30 * 86400));
  if (d < 730) return plural(mo, "month");
  return plural(Math.round(s / (365 * 86400)), "year");
}

/** Go's Duration.String for nanoseconds, as `--verbose` prints (e.g. "1.234567s", "12.3ms"). */
export function goDuration(ns: number): string {
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${+(ns / 1e3).toFixed(3)}µs`;
  if (ns < 1e9) return `${+(ns / 1e6).toFixed(6)}ms`;
  const totalS = ns / 1e9;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const sec = +(totalS % 60).toFixed(9);
  if (h) return `${h}h${m}m${sec}s`;
  if (m) return `${m}m${sec}s`;
  return `${sec}s`;
}
