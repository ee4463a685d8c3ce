import assert from "node:assert/strict";
import test from "node:test";
import { FOREVER_MS, formatGoDuration, parseGoDuration, parseKeepAlive } from "./duration.js";

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
});

test("keep_alive: seconds, durations, negative = forever", () => {
  assert.equal(parseKeepAlive(10), 10_000);
  assert.equal(parseKeepAlive("10m"), 600_000);
  assert.equal(parseKeepAlive(-1), FOREVER_MS);
  assert.equal(parseKeepAlive("-1m"), FOREVER_MS);
  assert.equal(parseKeepAlive(0), 0);
  assert.throws(() => parseKeepAlive("300"), /missing unit/);
});
