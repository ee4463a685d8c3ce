// `herd serve`: the one entry point that reads configuration and wires the real services together.

import { serve as listen } from "@hono/node-server";
import { mkdir } from "node:fs/promises";
import { freemem } from "node:os";
import { isIP } from "node:net";
import { configValues, goMap, serverConfig } from "../config/env.js";
import { VERSION } from "../config/version.js";
import { GgufCache } from "../gguf/index.js";
import { Inference } from "../inference/index.js";
import { Models } from "../models/index.js";
import { createRegistryTransfers } from "../models/transfers.js";
import { ensureKeyPair } from "../registry/index.js";
import { engineRunners, estimateMemory, forkChild, headerCache, kvCacheSettings, probeGpus, SpareChild, type LoadOptions, type MemoryUse } from "../runner/index.js";
import { mtmdLibrary } from "../runner/native/mtmd-path.js";
import { Scheduler } from "../scheduler/index.js";
import { pruneStore, Store } from "../store/index.js";
import { translatingRunner, Translator } from "../translate/index.js";
import { humanBytes } from "../util/bytes.js";
import { createLogger } from "../util/log.js";
import { accessLog } from "./access-log.js";
import { createApp, fetchHandler } from "./app.js";
import { tightenHeap } from "./heap.js";

function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

export async function serve(env: NodeJS.ProcessEnv): Promise<void> {
  const cfg = serverConfig(env);
  tightenHeap();
  const log = createLogger(process.stderr, cfg.debug);
  // Ollama's first line: every setting as resolved, which users paste into bug reports.
  log.info("server config", { env: goMap(configValues(cfg, env)) });
  for (const bad of cfg.invalid) log.warn("invalid environment variable, using default", { ...bad });
  await mkdir(cfg.modelsDir, { recursive: true, mode: 0o755 });

  const pub = await ensureKeyPair(cfg.home).catch((e) => {
    log.warn("could not create the identity key", { error: String(e) });
    return undefined;
  });
  if (pub) log.debug("identity", { key: pub });

  const store = new Store(cfg.modelsDir);
  if (!cfg.noPrune) {
    const res = await pruneStore(store);
    if (res.skipped) log.warn("skipping prune", { reason: res.skipped });
    else {
      // Ollama's two startup lines, word for word.
      log.info(`total blobs: ${res.blobs}`);
      log.info(`total unused blobs removed: ${res.blobsRemoved}`);
    }
  }

  const ggufs = new GgufCache();
  const headers = headerCache();
  // Published blobs llama.cpp cannot load as they are get translated on their first load.
  const translator = new Translator({
    dir: store.blobs.derivedDir,
    readHeader: (p) => ggufs.read(p),
    log,
    projectors: () => mtmdLibrary().path !== undefined,
  });
  // One engine child waits, started, for the next model load (engine/spare.ts): a cold load skips Node's start.
  // The first one also finds the GPUs, once, in the background, as Ollama discovers them at startup.
  const spare = new SpareChild(() => forkChild());
  const gpus = probeGpus(spare, { onError: (error) => log.warn("GPU discovery failed, planning for the CPU", { error }) }).then((devices) => {
    for (const d of devices) log.info("inference compute", { name: d.name, description: d.description, total: humanBytes(d.total), available: humanBytes(d.free) });
    if (!devices.length) log.info("no GPU found: models run on the CPU");
    return devices;
  });
  const kv = kvCacheSettings(cfg.flashAttention, cfg.kvCacheType);
  if (kv.warning) log.warn(kv.warning);
  // What the server decides for every load, from its environment: runners and their estimates get the same.
  const serverWide: Partial<LoadOptions> = {};
  if (cfg.gpuOverhead) serverWide.gpuOverhead = cfg.gpuOverhead;
  if (kv.flashAttention !== "auto") serverWide.flashAttention = kv.flashAttention;
  if (kv.kvCacheType !== "f16") serverWide.kvCacheType = kv.kvCacheType;
  const withServerOptions = (opts: LoadOptions): LoadOptions => ({ ...opts, ...serverWide });
  // One estimate for the scheduler's plan and a loaded runner's memory, from the server's header cache.
  const estimate = async (opts: LoadOptions, inUse?: readonly MemoryUse[]) => estimateMemory(withServerOptions(opts), inUse, { headers, devices: await gpus });
  // The runners' warnings reach the server log, as llama-server's output reaches Ollama's.
  const createRunner = engineRunners(estimate, {
    spare,
    onLog: (level, message, fields) => log[level](message, { source: "runner", ...fields }),
    loadTimeoutMs: cfg.loadTimeoutMs,
  });
  const scheduler = new Scheduler({
    ...translatingRunner(translator, {
      createRunner: async (opts, signal) => {
        const started = performance.now();
        const runner = await createRunner(withServerOptions(opts), signal);
        // Ollama's line, word for word.
        log.info(`llama runner started in ${((performance.now() - started) / 1000).toFixed(2)} seconds`);
        return runner;
      },
      estimateMemory: estimate,
    }),
    maxLoadedModels: cfg.maxLoadedModels,
    maxQueue: cfg.maxQueue,
    defaultKeepAliveMs: cfg.keepAliveMs,
    availableMemory: () => freemem(),
  });
  const inference = new Inference({
    store,
    ggufs,
    scheduler,
    defaults: { contextLength: cfg.contextLength, goTemplate: cfg.goTemplate, numParallel: cfg.numParallel },
    log,
  });
  const models = new Models({ store, ggufs, goTemplate: cfg.goTemplate, transfers: createRegistryTransfers({ store, home: cfg.home, noPrune: cfg.noPrune, log }) });
  const app = createApp({
    store,
    models,
    inference,
    origins: cfg.origins,
    boundToLoopback: isLoopback(cfg.host.host),
    version: VERSION,
  });

  const server = listen({ fetch: fetchHandler(app), hostname: cfg.host.host, port: cfg.host.port });
  // Ollama's request lines (gin's logger) on stdout, colored on a terminal as gin's.
  server.on("request", accessLog(process.stdout, process.stdout.isTTY === true && env.TERM !== "dumb"));
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  // Long generations and multi-gigabyte uploads must not hit node's default request timeout.
  (server as unknown as { requestTimeout: number }).requestTimeout = 0;
  // Idle keep-alive connections stay open until the client closes them, as Ollama's Go server keeps them (no
  // IdleTimeout). Node's default closes them after 5 s, and clients that pool connections for as long or
  // longer (ollama-python's httpx: 5 s; requests/urllib3: no limit) then send their next POST on a socket the
  // server is closing and get "Server disconnected" instead of an answer.
  (server as unknown as { keepAliveTimeout: number }).keepAliveTimeout = 0;
  log.info(`Listening on ${cfg.host.host}:${cfg.host.port} (version ${VERSION})`, { models: cfg.modelsDir });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    server.close();
    spare.close();
    await scheduler.unloadAll().catch(() => {});
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
