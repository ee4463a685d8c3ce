// The translation service: before a load, swaps a published blob's path for its translated copy (and
// supplies the projector of a monolithic vision model). Results live in a directory Ollama never reads,
// named by the blob's digest and the translator version, written under a temp name and renamed when
// complete, so a kill mid-write leaves nothing that is used. Not fsynced (derived, re-creatable): a torn
// file after a power loss fails the size and header check of the next process's first load and is
// written again. The store removes them with their blob.

import { createHash, randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { type GgufFile, readGguf, validateGguf } from "../gguf/index.js";
import type { LoadOptions } from "../runner/types.js";
// The store prunes stale temp files of its derived-files directory by this prefix and the pid after it.
import { TEMP_PREFIX } from "../store/index.js";
import { type PlannedTranslation, planModel, planProjector, TRANSLATOR_VERSION } from "./translate.js";
import { matchesPlan, writePlan } from "./write.js";

export interface TranslateEvent {
  path: string;
  handler: string;
  /** Bytes of the files written. */
  bytes: number;
  ms: number;
}

export interface TranslatorOptions {
  /** Where translated files live (the store's derived-files directory). */
  dir: string;
  /** Reads a GGUF header (share the server's GgufCache). */
  readHeader?: (path: string) => Promise<GgufFile>;
  log?: { info(msg: string, fields?: Record<string, unknown>): void };
  /**
   * Whether the engine can run a projector (libmtmd built). Without it a monolithic vision model loads
   * as text only instead of failing its load on the projector. Default: yes.
   */
  projectors?: () => boolean;
}

interface Outcome {
  path: string;
  projector?: string;
}

export class Translator {
  /** Per source path: what it loads as. Bounded by the number of distinct blobs loaded. */
  private readonly known = new Map<string, Promise<Outcome>>();

  constructor(private readonly opts: TranslatorOptions) {}

  /** The load options with translated paths; unchanged when the files need no translation. */
  async prepare(load: LoadOptions): Promise<LoadOptions> {
    const model = await this.resolve(load.modelPath, "model");
    const out: LoadOptions = { ...load, modelPath: model.path };
    if (load.projectorPath) out.projectorPath = (await this.resolve(load.projectorPath, "projector")).path;
    else if (model.projector && (this.opts.projectors?.() ?? true)) out.projectorPath = model.projector;
    return out;
  }

  /** Forgets what is known about a path (after its blob is deleted). */
  forget(path: string): void {
    this.known.delete(`model\n${path}`);
    this.known.delete(`projector\n${path}`);
  }

  private async resolve(path: string, role: "model" | "projector"): Promise<Outcome> {
    const key = `${role}\n${path}`;
    const hit = this.known.get(key);
    if (hit) {
      const o = await hit.catch(() => undefined);
      // One stat: a translated file removed behind our back (prune, delete) is made again.
      if (o && (o.path === path || (await exists(o.path)))) return o;
      this.known.delete(key);
    }
    const p = this.translate(path, role);
    this.known.set(key, p);
    p.catch(() => this.known.delete(key));
    return p;
  }

  private async translate(path: string, role: "model" | "projector"): Promise<Outcome> {
    const read = this.opts.readHeader ?? ((f: string) => readGguf(f, { validate: false }));
    const g = await read(path);
    const plan = role === "model" ? planModel(g) : planProjector(g);
    if (!plan) return { path };
    validateGguf(g);
    const stem = join(this.opts.dir, `${await cacheKey(path)}.v${TRANSLATOR_VERSION}`);
    const textPath = plan.text ? `${stem}.gguf` : undefined;
    const projPath = plan.projector ? `${stem}.mmproj.gguf` : undefined;
    const outcome: Outcome = { path: textPath ?? projPath! };
    if (role === "model" && projPath) outcome.projector = projPath;
    // The first load in a process checks a cached translation's size and header (it is not fsynced:
    // a torn one, after a power loss, is translated again); later loads in the process only stat it.
    const valid = async (dest: string | undefined, p: PlannedTranslation["text"]) => !dest || !p || (await matchesPlan(dest, p));
    if ((await valid(textPath, plan.text)) && (await valid(projPath, plan.projector))) return outcome;
    await this.write(path, plan, textPath, projPath);
    return outcome;
  }

  private async write(src: string, plan: PlannedTranslation, textPath?: string, projPath?: string): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
    const started = performance.now();
    this.opts.log?.info("translating model for llama.cpp (first load only)", { path: src, handler: plan.handler });
    let bytes = 0;
    // The projector first: the text file's presence is what a later load checks first.
    if (plan.projector && projPath) bytes += await this.writeOne(src, plan.projector, projPath);
    if (plan.text && textPath) bytes += await this.writeOne(src, plan.text, textPath);
    const ev: TranslateEvent = { path: src, handler: plan.handler, bytes, ms: Math.round(performance.now() - started) };
    this.opts.log?.info("translated model", { ...ev });
  }

  private async writeOne(src: string, plan: NonNullable<PlannedTranslation["text"]>, dest: string): Promise<number> {
    const tmp = join(this.opts.dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}-${basename(dest)}`);
    try {
      const size = await writePlan(src, plan, tmp);
      await rename(tmp, dest);
      return size;
    } finally {
      await rm(tmp, { force: true });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Store blobs are named by their digest (`sha256-<hex>`), which keys the cache and lets the store remove
 * a blob's translations with it. Other paths (tests, tools) are keyed by path, size and mtime.
 */
async function cacheKey(path: string): Promise<string> {
  const name = basename(path);
  if (/^sha256-[0-9a-f]{64}$/.test(name)) return name;
  const st = await stat(path);
  return `path-${createHash("sha256").update(`${path}\n${st.size}\n${st.mtimeMs}`).digest("hex").slice(0, 32)}`;
}
