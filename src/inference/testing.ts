// Test helpers for inference (and anyone above it): a temp Store holding one model built from a
// fixture GGUF, and a minimal in-process scheduler double over any CreateRunner.

import { createReadStream } from "node:fs";
import type { Message } from "../api/types.js";
import { parseName } from "../name/index.js";
import type { CreateRunner, LoadOptions, Runner } from "../runner/types.js";
import { CONFIG_MEDIA_TYPE, type Layer, MediaType, newManifest, Store } from "../store/index.js";
import { tempDir } from "../testing/fixtures.js";
import type { AcquireRequest, Lease, LoadedRunner, SchedulerLike } from "./seams.js";

export interface TestModelSpec {
  /** Model name, e.g. `stories:latest`. */
  name: string;
  /** Fixture GGUF to copy in as the model layer. */
  gguf: string;
  template?: string;
  system?: string;
  params?: Record<string, unknown>;
  messages?: Message[];
  config?: Record<string, unknown>;
  /** A projector GGUF to add as the `projector` layer (a vision model). */
  projector?: string;
}

export interface TestStore {
  store: Store;
  root: string;
  cleanup(): void;
  /** Adds another model (blobs are shared when the content is). */
  add(spec: TestModelSpec): Promise<void>;
}

async function writeText(store: Store, mediaType: string, text: string): Promise<Layer> {
  const { digest, size } = await store.blobs.write(Buffer.from(text));
  return { mediaType, digest, size };
}

async function addModel(store: Store, spec: TestModelSpec): Promise<void> {
  const model = await store.blobs.write(createReadStream(spec.gguf));
  const layers: Layer[] = [{ mediaType: MediaType.model, digest: model.digest, size: model.size }];
  if (spec.projector) {
    const p = await store.blobs.write(createReadStream(spec.projector));
    layers.push({ mediaType: MediaType.projector, digest: p.digest, size: p.size });
  }
  if (spec.template !== undefined) layers.push(await writeText(store, MediaType.template, spec.template));
  if (spec.system !== undefined) layers.push(await writeText(store, MediaType.system, spec.system));
  if (spec.params) layers.push(await writeText(store, MediaType.params, JSON.stringify(spec.params)));
  if (spec.messages) layers.push(await writeText(store, MediaType.messages, JSON.stringify(spec.messages)));
  const config = await writeText(
    store,
    CONFIG_MEDIA_TYPE,
    JSON.stringify({ model_format: "gguf", architecture: "amd64", os: "linux", ...spec.config }),
  );
  await store.writeManifest(parseName(spec.name), newManifest(config, layers));
}

/** Every response of a stream of batches (Inference.generate/chat), in order. */
export async function collect<T>(batches: AsyncIterable<readonly T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of batches) out.push(...batch);
  return out;
}

/** A fresh store in a temp dir with the given models. */
export async function createTestStore(...specs: TestModelSpec[]): Promise<TestStore> {
  const { dir, cleanup } = tempDir("herd-inference-");
  const store = new Store(dir);
  for (const spec of specs) await addModel(store, spec);
  return { store, root: dir, cleanup, add: (spec) => addModel(store, spec) };
}

interface Slot {
  runner: Runner;
  load: LoadOptions;
  meta: unknown;
  keepAliveMs: number;
  busy: number;
  expired: boolean;
}

/**
 * A scheduler double: one runner per key, reloaded when load options change, requests run one at a
 * time per key, `expire` closes the runner once idle. No memory accounting, no timers.
 */
export class TestScheduler implements SchedulerLike {
  readonly slots = new Map<string, Slot>();
  /** Every acquire, for assertions. */
  readonly acquired: AcquireRequest[] = [];
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly createRunner: CreateRunner,
    private readonly defaultKeepAliveMs = 300_000,
  ) {}

  async acquire(req: AcquireRequest): Promise<Lease> {
    this.acquired.push(req);
    const prev = this.queues.get(req.key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((r) => (done = r));
    this.queues.set(req.key, prev.then(() => mine));
    await prev;
    try {
      let slot = this.slots.get(req.key);
      if (slot && JSON.stringify(slot.load) !== JSON.stringify(req.load)) {
        await slot.runner.close();
        this.slots.delete(req.key);
        slot = undefined;
      }
      if (!slot) {
        const runner = await this.createRunner(req.load, req.signal);
        slot = { runner, load: req.load, meta: req.meta, keepAliveMs: this.defaultKeepAliveMs, busy: 0, expired: false };
        this.slots.set(req.key, slot);
      }
      if (req.keepAliveMs !== undefined) slot.keepAliveMs = req.keepAliveMs;
      slot.expired = false;
      slot.busy++;
      const s = slot;
      let released = false;
      return {
        runner: s.runner,
        release: () => {
          if (released) return;
          released = true;
          s.busy--;
          done();
          if (s.keepAliveMs === 0 || s.expired) void this.unload(req.key);
        },
      };
    } catch (err) {
      done();
      throw err;
    }
  }

  async expire(key: string): Promise<void> {
    const slot = this.slots.get(key);
    if (!slot) return;
    slot.expired = true;
    if (slot.busy === 0) await this.unload(key);
  }

  private async unload(key: string): Promise<void> {
    const slot = this.slots.get(key);
    if (!slot || slot.busy > 0) return;
    this.slots.delete(key);
    await slot.runner.close();
  }

  ps(): LoadedRunner[] {
    return [...this.slots.entries()].map(([key, s]) => ({
      key,
      meta: s.meta,
      memory: s.runner.memory,
      contextSize: s.runner.contextSize,
      expiresAt: new Date(Date.now() + Math.min(s.keepAliveMs, 1e15)),
    }));
  }

  async closeAll(): Promise<void> {
    for (const key of [...this.slots.keys()]) {
      const slot = this.slots.get(key)!;
      this.slots.delete(key);
      await slot.runner.close();
    }
  }
}
