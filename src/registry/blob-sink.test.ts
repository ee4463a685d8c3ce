import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { open, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { tempDir } from "../testing/fixtures.js";
import { openSink, type SinkPart, WORKER_MIN_BYTES } from "./blob-sink.js";
import { idleThreads } from "./disk-threads.js";

const tmp = tempDir("herd-sink-");
after(() => tmp.cleanup());
let n = 0;

function tile(total: number, parts: number): SinkPart[] {
  const size = Math.ceil(total / parts);
  return Array.from({ length: parts }, (_, i) => ({ Offset: i * size, Size: Math.min(size, total - i * size), Completed: 0 }));
}

/** Writes `part`'s bytes of `blob` from its Completed on, through one slab from the sink, `step` bytes at a time. */
async function feed(sink: ReturnType<typeof openSink>, part: SinkPart, blob: Buffer, step: number): Promise<void> {
  let [slab] = sink.slabs(1, step);
  for (let at = part.Offset + part.Completed; at < part.Offset + part.Size; at += step) {
    const len = Math.min(step, part.Offset + part.Size - at);
    blob.copy(slab, 0, at, at + len);
    // Written first; the slab may be refilled only once it is free (hashed) too.
    let written!: Promise<void>;
    const free = new Promise<Buffer>((resolve) => (written = sink.write(part, slab, len, resolve)));
    await written;
    assert.equal(part.Completed, at + len - part.Offset);
    slab = await free;
  }
}

// One case per sink: the inline one for small blobs, the writer and hasher threads for large ones.
for (const total of [3 * 1024 * 1024 + 17, WORKER_MIN_BYTES + 5 * 1024 * 1024 + 3]) {
  const kind = total >= WORKER_MIN_BYTES ? "threaded" : "inline";
  const blob = randomBytes(total);
  const want = `sha256:${createHash("sha256").update(blob).digest("hex")}`;

  test(`${kind} sink: parts written out of order land byte for byte and hash to the blob's digest`, async () => {
    const path = join(tmp.dir, `blob-${n++}`);
    await writeFile(path, Buffer.alloc(0));
    const fh = await open(path, "r+");
    await fh.truncate(total);
    const parts = tile(total, 4);
    let progress = 0;
    const sink = openSink(fh, parts, total, () => progress++);
    try {
      // The last part first, then the others side by side: hashing must wait for the prefix.
      await feed(sink, parts[3], blob, 1 << 20);
      assert.equal(sink.hashed(), 0, "nothing before the last part is written yet");
      await Promise.all([feed(sink, parts[1], blob, 1 << 20), feed(sink, parts[0], blob, 700_001), feed(sink, parts[2], blob, 1 << 20)]);
      assert.deepEqual(
        parts.map((p) => p.Completed),
        parts.map((p) => p.Size),
      );
      assert.equal(await sink.digest(), want);
      assert.equal(sink.hashed(), total);
      assert.ok(progress > 0);
    } finally {
      await sink.close();
      await fh.close();
    }
    assert.ok((await readFile(path)).equals(blob));
  });

  test(`${kind} sink: a resumed blob hashes the bytes already on disk first`, async () => {
    const path = join(tmp.dir, `blob-${n++}`);
    const half = Math.floor(total / 2);
    await writeFile(path, Buffer.concat([blob.subarray(0, half), Buffer.alloc(total - half)]));
    const fh = await open(path, "r+");
    const parts = tile(total, 2);
    parts[0].Completed = parts[0].Size;
    parts[1].Completed = half - parts[1].Offset;
    const sink = openSink(fh, parts, total, () => {});
    try {
      await feed(sink, parts[1], blob, 1 << 20);
      assert.equal(await sink.digest(), want);
    } finally {
      await sink.close();
      await fh.close();
    }
    assert.ok((await readFile(path)).equals(blob));
  });

  test(`${kind} sink: a failed write fails every later one and advances nothing`, async () => {
    const path = join(tmp.dir, `blob-${n++}`);
    await writeFile(path, Buffer.alloc(total));
    const fh = await open(path, "r"); // read-only: every write fails with EBADF
    const parts = tile(total, 2);
    const sink = openSink(fh, parts, total, () => {});
    try {
      const [a, b] = sink.slabs(2, 1 << 20);
      const first = sink.write(parts[0], a, a.length, () => assert.fail("a failed write frees nothing"));
      const second = sink.write(parts[0], b, b.length, () => assert.fail("a failed write frees nothing"));
      await assert.rejects(first, (e: NodeJS.ErrnoException) => e.code === "EBADF");
      await assert.rejects(second);
      await assert.rejects(sink.write(parts[1], a, a.length, () => {}));
      assert.equal(parts[0].Completed, 0);
      assert.equal(parts[1].Completed, 0);
      await assert.rejects(sink.digest());
    } finally {
      await sink.close();
      await fh.close();
    }
  });
}

test("threaded sinks: a finished download keeps its threads for the next; an interrupted one ends them", async () => {
  const total = WORKER_MIN_BYTES + 1024;
  const blob = randomBytes(total);
  const want = `sha256:${createHash("sha256").update(blob).digest("hex")}`;
  const run = async (finish: boolean) => {
    const path = join(tmp.dir, `blob-${n++}`);
    await writeFile(path, Buffer.alloc(total));
    const fh = await open(path, "r+");
    const parts = tile(total, 1);
    const sink = openSink(fh, parts, total, () => {});
    try {
      if (!finish) {
        // Writes still queued in the threads when the download stops.
        for (const s of sink.slabs(8, 1 << 20)) void sink.write(parts[0], s, s.length, () => {}).catch(() => {});
        return;
      }
      await feed(sink, parts[0], blob, 1 << 20);
      assert.equal(await sink.digest(), want);
    } finally {
      await sink.close();
      await fh.close();
    }
  };
  await run(true);
  const kept = idleThreads();
  assert.ok(kept >= 1, "a finished download leaves its pair idle");
  await run(true); // takes the idle pair: its hash starts over for the new blob
  assert.equal(idleThreads(), kept);
  await run(false);
  assert.equal(idleThreads(), kept - 1, "the interrupted download's pair is ended, not kept");
});
