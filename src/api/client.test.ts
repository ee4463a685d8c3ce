// How the client tells "no server" from "a server that hung up", through both fetches it runs on: the global
// fetch (undici) and the CLI's node:http one. The CLI starts a server only for the first (autostart.ts).

import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import test from "node:test";
import { freePort } from "../testing/net.js";
import { Client, ConnectionError, ConnectionLostError } from "./client.js";
import { httpFetch } from "./http-fetch.js";

const fetches = { "global fetch": fetch, "node:http fetch": httpFetch as typeof fetch };

/** A TCP server that reads a request and closes the connection without a byte of answer. */
async function hangingUp(): Promise<{ url: string; server: Server }> {
  const server = createServer((sock) => sock.once("data", () => sock.destroy()));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

for (const [name, impl] of Object.entries(fetches)) {
  test(`${name}: nothing listening is a ConnectionError`, async () => {
    const client = new Client(`http://127.0.0.1:${await freePort()}`, impl);
    await assert.rejects(client.list(), (e: Error) => e instanceof ConnectionError && /could not connect to herd server at http:\/\/127\.0\.0\.1:\d+$/.test(e.message));
  });

  test(`${name}: a server that closes the connection before answering is not taken for a missing one`, async (t) => {
    const { url, server } = await hangingUp();
    t.after(() => server.close());
    const client = new Client(url, impl);
    await assert.rejects(client.list(), (e: Error) => {
      assert.ok(e instanceof ConnectionLostError, `${e.name}: ${e.message}`);
      assert.match(e.message, new RegExp(`^herd server at ${url} closed the connection before answering \\(.+\\)$`));
      return true;
    });
  });
}
