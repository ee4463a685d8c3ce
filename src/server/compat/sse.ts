// Server-sent events for the compat dialects. A stream is opened only after its first native chunk
// arrived, so errors raised before any output still get a real HTTP status (like Ollama's
// `streamResponse`); errors after that become an in-band error event in the dialect's shape.

import { readyBatch } from "../ready-batch.js";

export interface SseEvent {
  /** `event:` line; OpenAI chat omits it, Anthropic and Responses name every event. */
  event?: string;
  /** JSON-encoded unless already a string (`[DONE]`). */
  data: unknown;
}

export function formatSse(ev: SseEvent): string {
  const data = typeof ev.data === "string" ? ev.data : JSON.stringify(ev.data);
  return (ev.event ? `event: ${ev.event}\n` : "") + `data: ${data}\n\n`;
}

function formatAll(events: readonly SseEvent[]): string {
  let text = "";
  for (const ev of events) text += formatSse(ev);
  return text;
}

/** Peeks the first item so that a failure to start surfaces as a rejected promise, not a broken stream. */
export async function startIterator<T>(
  source: AsyncIterable<T>,
): Promise<{ first: IteratorResult<T>; rest: AsyncIterator<T> }> {
  const rest = source[Symbol.asyncIterator]();
  const first = await rest.next();
  return { first, rest };
}

/** Re-joins a peeked first item with the rest of its iterator. */
export async function* resume<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncGenerator<T> {
  if (first.done) return;
  yield first.value;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * A `text/event-stream` Response fed by batches of `events` (those of one runner batch, ready together).
 * A thrown error is turned into final events by `onError`; a client disconnect aborts `abort` so the
 * engine stops generating.
 */
export function sseResponse(
  events: AsyncIterable<readonly SseEvent[]>,
  onError: (err: unknown) => SseEvent[],
  abort: AbortController,
): Response {
  const encoder = new TextEncoder();
  const iterator = events[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<readonly SseEvent[]>> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // The events of one runner batch (one per token) are ready together: one write for all.
      const batch = await readyBatch(pending ?? iterator.next(), iterator, formatAll);
      pending = batch.next;
      let text = batch.text;
      if (batch.failed) text += onError(batch.failed.error).map(formatSse).join("");
      if (text) controller.enqueue(encoder.encode(text));
      if (batch.end) controller.close();
    },
    async cancel() {
      abort.abort();
      await iterator.return?.();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
    },
  });
}

/** An AbortController that follows the request's own signal (client disconnect). */
export function linkedAbort(requestSignal: AbortSignal | undefined): AbortController {
  const ctl = new AbortController();
  if (requestSignal) {
    if (requestSignal.aborted) ctl.abort();
    else requestSignal.addEventListener("abort", () => ctl.abort(), { once: true });
  }
  return ctl;
}
