// Use cases on models at rest: list, show, create, copy, delete, pull, push.
// `new Models({ store, registry? })` implements the server's ModelService; the CLI reaches these only
// over HTTP.

import type { ListResponse, ShowResponse } from "../api/types.js";
import type { Store } from "../store/index.js";
import { type CreateBody, createModel, type OnProgress, validateCreate } from "./create.js";
import { GgufCache } from "./gguf-cache.js";
import { ModelLister } from "./list.js";
import { copyModel, deleteModel } from "./manage.js";
import { showModel } from "./show.js";

export { modelCapabilities, chatTemplateOf } from "./capabilities.js";
export { GgufCache } from "./gguf-cache.js";
export { detailsOf } from "./list.js";
export { resolveExisting } from "./names.js";
export type { CreateBody, OnProgress } from "./create.js";

export interface Transfers {
  validatePull(name: string, insecure: boolean): Promise<void>;
  pull(name: string, opts: { insecure?: boolean; signal: AbortSignal }, onProgress: OnProgress): Promise<void>;
  push(name: string, opts: { insecure?: boolean; signal: AbortSignal }, onProgress: OnProgress): Promise<void>;
}

export class Models {
  readonly store: Store;
  readonly ggufs: GgufCache;
  private readonly lister: ModelLister;
  private readonly transfers?: Transfers;

  constructor(opts: { store: Store; ggufs?: GgufCache; transfers?: Transfers }) {
    this.store = opts.store;
    this.ggufs = opts.ggufs ?? new GgufCache();
    this.lister = new ModelLister(this.store, this.ggufs);
    this.transfers = opts.transfers;
  }

  async list(): Promise<ListResponse> {
    return { models: await this.lister.list() };
  }

  show(name: string, opts?: { verbose?: boolean; system?: string; options?: Record<string, unknown> }): Promise<ShowResponse> {
    return showModel(this.store, this.ggufs, name, opts);
  }

  copy(source: string, destination: string): Promise<void> {
    return copyModel(this.store, source, destination);
  }

  delete(name: string): Promise<void> {
    return deleteModel(this.store, name);
  }

  async validateCreate(name: string, req: Record<string, unknown>): Promise<void> {
    validateCreate(name, req as CreateBody);
  }

  create(name: string, req: Record<string, unknown>, onProgress: OnProgress): Promise<void> {
    const pull = this.transfers
      ? (n: string, p: OnProgress) => this.transfers!.pull(n, { signal: new AbortController().signal }, p)
      : undefined;
    return createModel(this.store, name, req as CreateBody, onProgress, { pull });
  }

  async validatePull(name: string, insecure: boolean): Promise<void> {
    if (!this.transfers) throw new Error("pulling is not available");
    await this.transfers.validatePull(name, insecure);
  }

  pull(name: string, opts: { insecure?: boolean; signal: AbortSignal }, onProgress: OnProgress): Promise<void> {
    if (!this.transfers) throw new Error("pulling is not available");
    return this.transfers.pull(name, opts, onProgress);
  }

  push(name: string, opts: { insecure?: boolean; signal: AbortSignal }, onProgress: OnProgress): Promise<void> {
    if (!this.transfers) throw new Error("pushing is not available");
    return this.transfers.push(name, opts, onProgress);
  }
}
