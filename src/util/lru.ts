// A small least-recently-used map: every cache in herd is bounded and owned by the service using it.

export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`Lru size must be at least 1, got ${max}`);
  }

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    if (!this.map.has(key)) return undefined;
    const v = this.map.get(key) as V;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: K, value: V): this {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /**
   * The cached promise for `key`, or `make()`'s, cached until it rejects (a failure is not
   * remembered: the next call tries again).
   */
  getOrCreate<T>(this: Lru<K, Promise<T>>, key: K, make: () => Promise<T>): Promise<T> {
    let p = this.get(key);
    if (!p) {
      p = make();
      const stored = p;
      stored.catch(() => {
        if (this.map.get(key) === stored) this.map.delete(key);
      });
      this.set(key, p);
    }
    return p;
  }
}
