// Use cases on models at rest: list, show, create, copy, delete, pull, push.
// `new Models({ store, registry? })` implements the server's ModelService; the CLI reaches these only
// over HTTP.

import type { ListResponse, ShowResponse } from "../api/types.js";
import type { Store } from "../store/index.js";
import { type CreateBody, createModel, type OnProgress, validateCreate, validateCreateSources } from "./create.js";
import { GgufCache } from "../gguf/index.js";
import { ModelLister } from "./list.js";
import { copyModel, deleteModel } from "./manage.js";
import { showModel } from "./show.js";

export { GgufCache } from "../gguf/index.js";
export { resolveExisting } from "./names.js";
export type { CreateBody, OnProgress } from "./create.js";

export interface Transfers {
  validatePull(name: string, insecure: boolean): Promise<void>;
  pull(name: string, opts: { insecure?: boolean; signal: AbortSignal }, onProgress: OnProgress): Promise<void>;
  push(name: string, opts: { insecure?: boolean; signal: AbortSignal }, onProgress: OnProgress): Promise<void>;
}

/** How long a listing is served from memory before the store is read again. */
export const LIST_TTL_MS = 1000;

export class Models {
  readonly store: Store;
  readonly ggufs: GgufCache;
  private readonly lister: ModelLister;
  private readonly transfers?: Transfers;
  private listed?: { at: number; models: ListResponse["models"] };
  /** The refresh in progress: concurrent listings wait for it instead of each reading the store. */
  private refreshing?: { generation: number; models: Promise<ListResponse["models"]> };
  private generation = 0;

  private readonly preferGo: boolean;

  /** `goTemplate`: OLLAMA_GO_TEMPLATE, which template capabilities are read from (default on). */
  constructor(opts: { store: Store; ggufs?: GgufCache; transfers?: Transfers; goTemplate?: boolean }) {
    this.store = opts.store;
    this.ggufs = opts.ggufs ?? new GgufCache();
    this.preferGo = opts.goTemplate ?? true;
    this.lister = new ModelLister(this.store, this.ggufs, this.preferGo);
    this.transfers = opts.transfers;
  }

  /**
   * As Ollama, `/api/tags` is served from memory and refreshed when this server changes the store;
   * unlike Ollama, a listing older than LIST_TTL_MS is re-read, so models written by another process
   * sharing the store (Ollama itself, a second herd) show up within a second.
   */
  async list(): Promise<ListResponse> {
    const now = Date.now();
    if (this.listed && now - this.listed.at <= LIST_TTL_MS) return { models: this.listed.models };
    // One refresh at a time; one started before a change to the store is not reused after it.
    if (!this.refreshing || this.refreshing.generation !== this.generation) {
      const generation = this.generation;
      const refresh = { generation, models: this.lister.list() };
      this.refreshing = refresh;
      void refresh.models.then(
        (models) => {
          if (generation === this.generation) this.listed = { at: now, models };
        },
        () => undefined,
      ).finally(() => {
        if (this.refreshing === refresh) this.refreshing = undefined;
      });
    }
    return { models: await this.refreshing.models };
  }

  /** Forgets the cached listing; every mutation calls it when it ends, failed or not. */
  private changed<T>(p: Promise<T>): Promise<T> {
    this.generation++;
    this.listed = undefined;
    return p.finally(() => {
      this.generation++;
      this.listed = undefined;
    });
  }

  show(name: string, opts?: { verbose?: boolean; system?: string; options?: Record<string, unknown> }): Promise<ShowResponse> {
    return showModel(this.store, this.ggufs, name, { ...opts, preferGo: this.preferGo });
  }

  copy(source: string, destination: string): Promise<void> {
    return this.changed(copyModel(this.store, source, destination));
  }

  delete(name: string): Promise<void> {
    return this.changed(deleteModel(this.store, name));
  }

  async validateCreate(name: string, req: Record<string, unknown>): Promise<void> {
    validateCreate(name, req as CreateBody);
    await validateCreateSources(this.store, req as CreateBody);
  }

  create(name: string, req: Record<string, unknown>, onProgress: OnProgress, signal?: AbortSignal): Promise<void> {
    const pull = this.transfers
      ? (n: string, p: OnProgress) => this.transfers!.pull(n, { signal: new AbortController().signal }, p)
      : undefined;
    return this.changed(createModel(this.store, name, req as CreateBody, onProgress, { pull, signal }));
  }

  async validatePull(name: string, insecure: boolean): Promise<void> {
    if (!this.transfers) throw new Error("pulling is not available");
    await this.transfers.validatePull(name, insecure);
  }

  pull(name: string, opts: { insecure?: boolean; signal: AbortSignal }, onProgress: OnProgress): Promise<void> {
    if (!this.transfers) throw new Error("pulling is not available");
    return this.changed(this.transfers.pull(name, opts, onProgress));
  }

  push(name: string, opts: { insecure?: boolean; signal: AbortSignal }, onProgress: OnProgress): Promise<void> {
    if (!this.transfers) throw new Error("pushing is not available");
    return this.transfers.push(name, opts, onProgress);
  }
}
