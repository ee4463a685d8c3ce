import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import test from "node:test";
import { accessLog, formatAccess } from "./access-log.js";

const at = new Date(2026, 11, 1, 9, 5, 7);

test("gin's line: padded status, latency and address, method, quoted path", () => {
  assert.equal(
    formatAccess({ time: at, status: 200, latencyNs: 1_234_567n, clientIp: "127.0.0.1", method: "POST", path: "/api/generate" }, false),
    '[GIN] 2026/12/01 - 09:05:07 | 200 |    1.234567ms |       127.0.0.1 | POST     "/api/generate"\n',
  );
  assert.equal(
    formatAccess({ time: at, status: 404, latencyNs: 15_300n, clientIp: "::1", method: "GET", path: '/x?q="a"' }, false),
    '[GIN] 2026/12/01 - 09:05:07 | 404 |        15.3µs |             ::1 | GET      "/x?q=\\"a\\""\n',
  );
  // Over a minute, gin cuts the latency to whole seconds.
  assert.match(formatAccess({ time: at, status: 200, latencyNs: 83_456_000_000n, clientIp: "10.0.0.2", method: "POST", path: "/api/chat" }, false), /\| {9}1m23s \|/);
  // On a terminal: gin's colors around status and method.
  assert.equal(
    formatAccess({ time: at, status: 500, latencyNs: 2_000_000_000n, clientIp: "127.0.0.1", method: "DELETE", path: "/api/delete" }, true),
    '[GIN] 2026/12/01 - 09:05:07 |\x1b[97;41m 500 \x1b[0m|            2s |       127.0.0.1 |\x1b[97;41m DELETE  \x1b[0m "/api/delete"\n',
  );
});

test("one line per request once its response ends, with the status sent and the time it took", async (t) => {
  const out = new PassThrough();
  let written = "";
  out.on("data", (d) => (written += d));
  const server = createServer((req, res) => {
    if (req.url === "/hang") res.write("a"); // ends only when the client leaves
    else if (req.url === "/slow") {
      res.write("a");
      setTimeout(() => res.end("b"), 60);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  server.on("request", accessLog(out, false));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const get = (path: string) =>
    new Promise<void>((resolve) => request({ port, path, host: "127.0.0.1" }, (res) => res.resume().on("end", resolve)).end());
  await get("/slow");
  await get("/missing?x=1");
  // A client that leaves mid-stream: its line still names it.
  await new Promise<void>((resolve) => {
    const req = request({ port, path: "/hang", host: "127.0.0.1" }, (res) => res.once("data", () => req.destroy()));
    req.on("close", resolve).end();
  });
  await new Promise((r) => setTimeout(r, 100));
  const lines = written.trimEnd().split("\n");
  assert.equal(lines.length, 3, written);
  assert.match(lines[2], /\| 200 \|.*\|       127\.0\.0\.1 \| GET      "\/hang"$/);
  assert.match(lines[0], /^\[GIN\] \d{4}\/\d\d\/\d\d - \d\d:\d\d:\d\d \| 200 \| +\d+\.\d+ms \|       127\.0\.0\.1 \| GET      "\/slow"$/);
  const ms = Number(/\| +([\d.]+)ms \|/.exec(lines[0])![1]);
  assert.ok(ms >= 55, `the streamed response's line counts its whole time: ${ms} ms`);
  assert.match(lines[1], /\| 404 \|.*\| GET      "\/missing\?x=1"$/);
});
