import assert from "node:assert/strict";
import test from "node:test";
import { FOREVER_MS, formatGoDuration, goDuration, parseGoDuration, parseKeepAlive } from "./duration.js";

test("Go durations", () => {
  assert.equal(parseGoDuration("5m"), 300_000);
  assert.equal(parseGoDuration("1h30m"), 5_400_000);
  assert.equal(parseGoDuration("1.5s"), 1500);
  assert.equal(parseGoDuration("0"), 0);
  assert.equal(parseGoDuration("-1m"), -60_000);
  assert.throws(() => parseGoDuration("300"), /missing unit in duration "300"/);
  assert.throws(() => parseGoDuration("5x"), /unknown unit "x"/);
  assert.equal(formatGoDuration(300_000), "5m0s");
  assert.equal(formatGoDuration(3_600_000), "1h0m0s");
  assert.equal(formatGoDuration(300), "300ms");
  assert.equal(formatGoDuration(1500), "1.5s");
});

test("Go's Duration.String, unit by unit", () => {
  // Values and strings from Go's own time package tests.
  const cases: [bigint, string][] = [
    [0n, "0s"], [1n, "1ns"], [1_100n, "1.1µs"], [2_200_000n, "2.2ms"], [3_300_000_000n, "3.3s"],
    [4n * 60_000_000_000n + 5_000_000_000n, "4m5s"], [4n * 60_000_000_000n + 5_001_000_000n, "4m5.001s"],
    [5n * 3_600_000_000_000n + 6n * 60_000_000_000n + 7_001_000_000n, "5h6m7.001s"], [8n * 60_000_000_000n + 1n, "8m0.000000001s"],
    [-1n, "-1ns"], [1_234_567n, "1.234567ms"], [999n, "999ns"], [1_000n, "1µs"],
  ];
  for (const [ns, text] of cases) assert.equal(goDuration(ns), text, String(ns));
});

test("keep_alive: seconds, durations, negative = forever", () => {
  assert.equal(parseKeepAlive(10), 10_000);
  assert.equal(parseKeepAlive("10m"), 600_000);
  assert.equal(parseKeepAlive(-1), FOREVER_MS);
  assert.equal(parseKeepAlive("-1m"), FOREVER_MS);
  assert.equal(parseKeepAlive(0), 0);
  assert.throws(() => parseKeepAlive("300"), /missing unit/);
});
