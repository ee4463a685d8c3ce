// Stop strings are matched on decoded text, across token boundaries (ollama-spec §1.4). Text that could
// still turn into a stop string is held back, so a stop string is never emitted, even in part.

export interface StopStep {
  /** Text safe to emit now. */
  emit: string;
  /** A stop string matched; `emit` is the text before it and generation must end. */
  stopped: boolean;
}

export class StopMatcher {
  private held = "";
  private readonly stops: string[];

  constructor(stops: readonly string[] = []) {
    this.stops = stops.filter((s) => s.length > 0);
  }

  push(text: string): StopStep {
    const buf = this.held + text;
    let first = -1;
    for (const stop of this.stops) {
      const at = buf.indexOf(stop);
      if (at !== -1 && (first === -1 || at < first)) first = at;
    }
    if (first !== -1) {
      this.held = "";
      return { emit: buf.slice(0, first), stopped: true };
    }
    const hold = this.partialSuffixLength(buf);
    this.held = buf.slice(buf.length - hold);
    return { emit: buf.slice(0, buf.length - hold), stopped: false };
  }

  /** Releases held-back text once generation ended without a stop. */
  flush(): string {
    const rest = this.held;
    this.held = "";
    return rest;
  }

  /** Length of the longest suffix of `buf` that is a proper prefix of some stop string. */
  private partialSuffixLength(buf: string): number {
    let best = 0;
    for (const stop of this.stops) {
      const max = Math.min(stop.length - 1, buf.length);
      for (let n = max; n > best; n--) {
        if (buf.endsWith(stop.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
