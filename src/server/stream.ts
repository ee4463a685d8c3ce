// NDJSON streaming (ollama-spec §1.0): an error before the first byte becomes a status + JSON body;
// after it, a final `{"error": …}` line. `stream: false` folds the same iterator into one body.

import { messageOf, statusOf } from "./errors.js";
import { readyBatch } from "./ready-batch.js";

export function errorResponse(err: unknown): Response {
  return Response.json({ error: messageOf(err) }, { status: statusOf(err) });
}

/**
 * Streams batches of chunks as NDJSON, a line per chunk. The first batch is awaited before the response
 * starts so that validation and load errors still get their HTTP status. Backpressure: the next batch is
 * only pulled when the socket asks for more. Lines that are already there (the tokens of one runner
 * batch) go out in one write.
 */
export async function ndjson(source: AsyncIterable<readonly unknown[]>): Promise<Response> {
  const it = source[Symbol.asyncIterator]();
  let first: IteratorResult<readonly unknown[]>;
  try {
    first = await it.next();
  } catch (err) {
    return errorResponse(err);
  }
  const enc = new TextEncoder();
  const line = (v: unknown) => JSON.stringify(v) + "\n";
  const lines = (batch: readonly unknown[]) => {
    let text = "";
    for (const v of batch) text += line(v);
    return text;
  };
  let pending: Promise<IteratorResult<readonly unknown[]>> | undefined = Promise.resolve(first);
  let finished = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (finished) return controller.close();
      const batch = await readyBatch(pending ?? it.next(), it, lines);
      pending = batch.next;
      finished = batch.end;
      const text = batch.failed ? batch.text + line({ error: messageOf(batch.failed.error) }) : batch.text;
      if (text) controller.enqueue(enc.encode(text));
      else if (finished) controller.close();
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
  return ndjson(alone(source));
}

async function* alone<T>(source: AsyncIterable<T>): AsyncGenerator<T[]> {
  for await (const item of source) yield [item];
}
