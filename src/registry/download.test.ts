import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseName } from "../name/index.js";
import { Store } from "../store/index.js";
import { tempDir } from "../testing/fixtures.js";
import { createRegistryClient } from "./client.js";
import { downloadBlob, type TransferTuning } from "./download.js";

// Servers that are not the CNCF registry: each answers blob GETs in a way the raw socket path does
// not take, so the download must fall back to the general client and still land the exact bytes.
const blob = randomBytes(3 * 1024 * 1024 + 123);
const digest = `sha256:${createHash("sha256").update(blob).digest("hex")}`;
let mode: "ignore-range" | "chunked" | "redirect" | "ranges" | "cut" = "ranges";
let requests = 0;
/** Ranges asked for blob bytes (not the `bytes=0-0` probe). */
let ranges: string[] = [];
/** Bytes the first ranged response sends before its connection drops (mode `cut`). */
const CUT = 1_500_000;
let server: Server;
let host = "";
const tmp = tempDir("herd-download-");
let n = 0;

function range(header: string | undefined): [number, number] {
  const m = /^bytes=(\d+)-(\d+)$/.exec(header ?? "");
  return m ? [Number(m[1]), Number(m[2]) + 1] : [0, blob.length];
}

before(async () => {
  server = createServer((req, res) => {
    requests++;
    if (req.url === "/v2/") return res.end("{}");
    const isBlob = req.url?.startsWith("/v2/ns/m/blobs/") || req.url?.startsWith("/real/");
    if (!isBlob) return res.writeHead(404).end();
    if (req.headers.range !== "bytes=0-0") ranges.push(req.headers.range ?? "");
    if (mode === "ignore-range") return res.writeHead(200, { "content-length": blob.length }).end(blob);
    // Only the ranged part requests: the probe (`bytes=0-0`) is answered here, so it resolves here.
    if (mode === "redirect" && !req.url!.startsWith("/real/") && req.headers.range !== "bytes=0-0") {
      return res.writeHead(307, { location: `/real/${digest}` }).end();
    }
    const [start, end] = range(req.headers.range);
    if (mode === "cut" && ranges.length === 1) {
      res.writeHead(206, { "content-length": end - start, "content-range": `bytes ${start}-${end - 1}/${blob.length}` });
      return res.write(blob.subarray(start, start + CUT), () => setTimeout(() => res.socket?.destroy(), 20));
    }
    if (mode === "chunked") {
      // No Content-Length: Node sends it chunked.
      res.writeHead(206, { "content-range": `bytes ${start}-${end - 1}/${blob.length}` });
      res.write(blob.subarray(start, start + 1000));
      return res.end(blob.subarray(start + 1000, end));
    }
    res.writeHead(206, { "content-length": end - start, "content-range": `bytes ${start}-${end - 1}/${blob.length}` });
    res.end(blob.subarray(start, end));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  tmp.cleanup();
});

async function pull(m: typeof mode, tuning: TransferTuning = {}): Promise<Buffer> {
  mode = m;
  requests = 0;
  ranges = [];
  const store = new Store(join(tmp.dir, `s${n++}`));
  const seen: number[] = [];
  await downloadBlob({
    client: createRegistryClient(),
    name: parseName(`${host}/ns/m:latest`),
    digest,
    size: blob.length,
    blobs: store.blobs,
    insecure: true,
    tuning: { partSize: 1024 * 1024, concurrency: 3, retryDelayMs: () => 10, ...tuning },
    onProgress: (c) => seen.push(c),
  });
  assert.equal(seen.at(-1), blob.length);
  return readFile(store.blobs.path(digest));
}

test("ranged parts read off the raw socket land byte for byte", async () => {
  assert.ok((await pull("ranges")).equals(blob));
});

test("a server that ignores Range: each part skips to its own bytes", async () => {
  assert.ok((await pull("ignore-range")).equals(blob));
});

test("a chunked body falls back to the general client", async () => {
  assert.ok((await pull("chunked")).equals(blob));
});

test("a redirected range falls back to the client, which follows it", async () => {
  assert.ok((await pull("redirect")).equals(blob));
  // probe, then per part: the raw GET, the client's direct GET, fetch's GET and the redirected one
  assert.equal(requests, 1 + 4 * 4);
});

// On a fast link one request carries a run of parts; part ends fall inside the socket's slabs.
const span = { partSize: 700_001, span: true };

test("a run of parts over one request lands byte for byte", async () => {
  assert.ok((await pull("ranges", span)).equals(blob));
  assert.deepEqual(ranges, [`bytes=0-${blob.length - 1}`]);
});

test("a run from a server that ignores Range skips to its bytes", async () => {
  assert.ok((await pull("ignore-range", span)).equals(blob));
  assert.equal(ranges.length, 1);
});

test("a run cut off midway is taken up again from the part it stopped in", async () => {
  assert.ok((await pull("cut", span)).equals(blob));
  assert.equal(ranges.length, 2);
  // Everything that arrived was kept: the retry starts where the cut left off, not at a part start.
  assert.deepEqual(ranges[1], `bytes=${CUT}-${blob.length - 1}`);
});
