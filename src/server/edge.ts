// The request's body and the client's departure, read from the Node request under a Hono context when
// @hono/node-server serves it. Touching `body`, `signal` or `arrayBuffer()` of node-server's lightweight Request
// builds a full Web Request (undici's, with a web stream over the socket): on the build VM that and reading the
// body through it took ~0.4 ms of the ~1.6 ms the server spends on a short request. In-process tests
// (`app.request`) have no Node request and take the Web Request's path; both paths give the same results.

import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { IncomingMessage, ServerResponse } from "node:http";
import { PayloadTooLargeError } from "../util/errors.js";

/** Largest JSON request body (base64 images make chat bodies large, but not unbounded). */
export const JSON_BODY_LIMIT = 256 * 1024 * 1024;

interface NodeBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

function nodeOf(c: Context): NodeBindings | undefined {
  const env = c.env as Partial<NodeBindings> | undefined;
  return env?.incoming && env.outgoing ? (env as NodeBindings) : undefined;
}

const signals = new WeakMap<IncomingMessage, AbortSignal>();

/** Aborted when the client goes away before its response is complete: whatever serves it stops. */
export function requestSignal(c: Context): AbortSignal {
  const node = nodeOf(c);
  if (!node) return c.req.raw.signal;
  let signal = signals.get(node.incoming);
  if (!signal) {
    const ac = new AbortController();
    node.outgoing.once("close", () => {
      if (!node.outgoing.writableFinished) ac.abort(new Error("client connection closed"));
    });
    signal = ac.signal;
    signals.set(node.incoming, signal);
  }
  return signal;
}

/** The whole request body, at most JSON_BODY_LIMIT bytes (PayloadTooLargeError beyond). */
export async function requestBytes(c: Context): Promise<Uint8Array> {
  const node = nodeOf(c);
  if (!node) return new Uint8Array(await c.req.raw.arrayBuffer());
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of node.incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    // A body without a Content-Length (chunked) is counted as it comes.
    if (size > JSON_BODY_LIMIT) throw new PayloadTooLargeError();
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * Refuses a JSON body whose Content-Length is over JSON_BODY_LIMIT before it is read (413, as for one that turns
 * out larger while read). Blob uploads stream to disk and are not capped.
 */
export function jsonBodyLimit(): MiddlewareHandler {
  const tooLarge = (c: Context) => c.json({ error: new PayloadTooLargeError().message }, 413);
  const webLimit = bodyLimit({ maxSize: JSON_BODY_LIMIT, onError: tooLarge });
  return (c, next) => {
    if (c.req.path.startsWith("/api/blobs/")) return next();
    const node = nodeOf(c);
    if (!node) return webLimit(c, next);
    const length = node.incoming.headers["content-length"];
    return length !== undefined && Number(length) > JSON_BODY_LIMIT ? Promise.resolve(tooLarge(c)) : next();
  };
}
