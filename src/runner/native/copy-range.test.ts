import assert from "node:assert/strict";
import { open, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../../testing/fixtures.js";
import { copyRange } from "./copy-range.js";

test("a byte range lands at its offset in the other file; a short source stops the copy where it ends", async (t) => {
  const { dir, cleanup } = tempDir("herd-copy-range-");
  t.after(cleanup);
  const from = join(dir, "from");
  const to = join(dir, "to");
  const data = Buffer.alloc(3 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  await writeFile(from, data);
  const src = await open(from, "r");
  const out = await open(to, "w");
  try {
    const copied = await copyRange(src.fd, 1000, out.fd, 5, 2 << 20);
    // Linux copies in the kernel; elsewhere nothing is copied and the caller streams.
    if (process.platform !== "linux") return assert.equal(copied, 0);
    assert.equal(copied, 2 << 20);
    assert.equal(await copyRange(src.fd, data.length - 10, out.fd, 5 + (2 << 20), 100), 10, "only what the source holds");
  } finally {
    await src.close();
    await out.close();
  }
  const got = await readFile(to);
  assert.equal(got.length, 5 + (2 << 20) + 10);
  assert.ok(got.subarray(0, 5).equals(Buffer.alloc(5)));
  assert.ok(got.subarray(5, 5 + (2 << 20)).equals(data.subarray(1000, 1000 + (2 << 20))));
  assert.ok(got.subarray(5 + (2 << 20)).equals(data.subarray(data.length - 10)));
});
