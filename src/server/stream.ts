// NDJSON streaming (ollama-spec §1.0): an error before the first byte becomes a status + JSON body;
// after it, a final `{"error": …}` line. `stream: false` folds the same iterator into one body.

import { messageOf, statusOf } from "./errors.js";

export function errorResponse(err: unknown): Response {
  return Response.json({ error: messageOf(err) }, { status: statusOf(err) });
}

const LATER = Symbol("later");
const nextTurn = () => new Promise<typeof LATER>((r) => setImmediate(() => r(LATER)));

/**
 * Streams `chunks` as NDJSON. The first chunk is awaited before the response starts so that
 * validation and load errors still get their HTTP status. Backpressure: the next chunk is only
 * pulled when the socket asks for more. Chunks that are already there (the runner sends tokens in
 * small batches) go out in one write: one syscall and one client wake-up instead of one per token.
 */
export async function ndjson(source: AsyncIterable<unknown>): Promise<Response> {
  const it = source[Symbol.asyncIterator]();
  let first: IteratorResult<unknown>;
  try {
    first = await it.next();
  } catch (err) {
    return errorResponse(err);
  }
  const enc = new TextEncoder();
  let pending: Promise<IteratorResult<unknown>> | undefined = Promise.resolve(first);
  let finished = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (finished) return controller.close();
      let text = "";
      try {
        const r = await (pending ?? it.next());
        pending = undefined;
        if (r.done) return controller.close();
        text = JSON.stringify(r.value) + "\n";
        while (text.length < 1 << 16) {
          const next = it.next();
          const got = await Promise.race([next, nextTurn()]);
          if (got === LATER) {
            pending = next;
            break;
          }
          if (got.done) {
            finished = true;
            break;
          }
          text += JSON.stringify(got.value) + "\n";
        }
      } catch (err) {
        text += JSON.stringify({ error: messageOf(err) }) + "\n";
        finished = true;
      }
      controller.enqueue(enc.encode(text));
    },
    async cancel() {
      await it.return?.();
    },
  });
  return new Response(body, { headers: { "Content-Type": "application/x-ndjson" } });
}

/** Answers with the body once it is ready, or with the error's status (`stream: false`). */
export async function jsonOrError(body: Promise<unknown>): Promise<Response> {
  try {
    return Response.json(await body);
  } catch (err) {
    return errorResponse(err);
  }
}

async function lastOf<T>(source: AsyncIterable<T>): Promise<T | undefined> {
  let last: T | undefined;
  for await (const item of source) last = item;
  return last;
}

/** Progress streams (pull/push/create): `stream:false` answers with the last message (§16.3). */
export function progressResponse(source: AsyncIterable<unknown>, stream: boolean | undefined): Promise<Response> {
  if (stream === false) return jsonOrError(lastOf(source).then((last) => last ?? { status: "success" }));
  return ndjson(source);
}
