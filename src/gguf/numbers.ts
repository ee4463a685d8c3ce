// Number formatting that must match Go's output byte for byte: Ollama's format.HumanNumber
// and the shortest decimal Go prints for a float32.

/** Go's %.Nf: like toFixed, but exact binary ties round half to even. */
export function goFixed(x: number, digits: number): string {
  const scale = 10 ** digits;
  const scaled = x * scale;
  const frac = scaled - Math.floor(scaled);
  if (frac === 0.5 && scaled / scale === x) {
    const floor = Math.floor(scaled);
    const even = floor % 2 === 0 ? floor : floor + 1;
    return (even / scale).toFixed(digits);
  }
  return x.toFixed(digits);
}

/** Ollama's format.HumanNumber: `260K`, `58.07M`, `8B`, `7.6B`. */
export function humanNumber(n: number): string {
  if (n >= 1e9) {
    const v = n / 1e9;
    return Number.isInteger(v) ? `${v}B` : `${goFixed(v, 1)}B`;
  }
  if (n >= 1e6) {
    const v = n / 1e6;
    return Number.isInteger(v) ? `${v}M` : `${goFixed(v, 2)}M`;
  }
  if (n >= 1e3) return `${goFixed(n / 1e3, 0)}K`;
  return String(Math.trunc(n));
}

/**
 * The shortest decimal that reads back as the same float32, as Go prints a float32
 * (`1e-05`, not `0.000009999999747378752`). JSON.stringify of the result matches Go's JSON.
 */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}
