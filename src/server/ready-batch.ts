// One socket write for everything a stream already has. The runner hands tokens over in batches and
// each token becomes its own NDJSON line or SSE event (as Ollama writes them); the lines of a batch
// are all ready at once, so they go out together: one syscall and one client wake-up per batch.

const LATER = Symbol("later");
const nextTurn = () => new Promise<typeof LATER>((r) => setImmediate(() => r(LATER)));
/** Bound on one write, so a fast producer cannot grow a single buffer without limit. */
const MAX_CHARS = 1 << 16;

export interface ReadyBatch<T> {
  /** The formatted items, concatenated. */
  text: string;
  /** The source ended (or failed): nothing follows this batch. */
  end: boolean;
  /** A pull already started for the next batch. */
  next?: Promise<IteratorResult<T>>;
  /** The source threw, after `text`. */
  failed?: { error: unknown };
}

/** Waits for one item, then takes every further item that is ready before the event loop turns. */
export async function readyBatch<T>(first: Promise<IteratorResult<T>>, it: AsyncIterator<T>, format: (item: T) => string): Promise<ReadyBatch<T>> {
  let text = "";
  try {
    const r = await first;
    if (r.done) return { text, end: true };
    text = format(r.value);
    // One timer per batch, not per item: at a thousand tokens a second, per-line timers cost the model speed.
    const turn = nextTurn();
    while (text.length < MAX_CHARS) {
      const next = it.next();
      const got = await Promise.race([next, turn]);
      if (got === LATER) return { text, end: false, next };
      if (got.done) return { text, end: true };
      text += format(got.value);
    }
    return { text, end: false };
  } catch (error) {
    return { text, end: true, failed: { error } };
  }
}
