// Every environment variable herd reads, once, with its default and description (ollama-spec §4).
// Only entry points (server/main.ts, cli/main.ts) read these; everything else takes parameters.

import { homedir } from "node:os";
import { join } from "node:path";
import { formatGoDuration, FOREVER_MS, parseGoDuration } from "../util/duration.js";

type Env = Record<string, string | undefined>;

export interface EnvVar {
  name: string;
  default: string;
  description: string;
}

export const ENV_VARS: EnvVar[] = [
  { name: "OLLAMA_HOST", default: "127.0.0.1:11434", description: "IP address and port for the server (bind) and the client (connect)" },
  { name: "OLLAMA_MODELS", default: "~/.ollama/models", description: "The path to the models directory (shared with Ollama)" },
  { name: "OLLAMA_ORIGINS", default: "", description: "A comma separated list of allowed CORS origins, added to the defaults" },
  { name: "OLLAMA_KEEP_ALIVE", default: "5m", description: "How long models stay loaded in memory (Go duration or seconds; negative = forever)" },
  { name: "OLLAMA_CONTEXT_LENGTH", default: "0", description: "Default context length (0 = 4096 without a GPU, tiered by VRAM otherwise)" },
  { name: "OLLAMA_MAX_LOADED_MODELS", default: "0", description: "Maximum number of loaded models (0 = 3)" },
  { name: "OLLAMA_MAX_QUEUE", default: "512", description: "Maximum number of queued requests" },
  { name: "OLLAMA_LOAD_TIMEOUT", default: "5m", description: "How long a model load may stall before giving up (Go duration or seconds; 0 or negative = forever)" },
  { name: "OLLAMA_NUM_PARALLEL", default: "1", description: "Maximum number of parallel requests per model" },
  { name: "OLLAMA_NOPRUNE", default: "false", description: "Do not prune unused blobs on startup" },
  { name: "OLLAMA_NOHISTORY", default: "false", description: "Do not keep readline history in `run`" },
  { name: "OLLAMA_DEBUG", default: "false", description: "Show additional debug information (1 = debug, 2 = trace)" },
  { name: "OLLAMA_GPU_OVERHEAD", default: "0", description: "Reserve a portion of VRAM per GPU (bytes)" },
  { name: "OLLAMA_FLASH_ATTENTION", default: "", description: "Flash attention on (1) or off (0); unset lets llama.cpp choose per device" },
  { name: "OLLAMA_KV_CACHE_TYPE", default: "f16", description: "KV cache type: f16, or q8_0 / q4_0 with OLLAMA_FLASH_ATTENTION=1" },
  { name: "OLLAMA_GO_TEMPLATE", default: "true", description: "Prefer a model's Go TEMPLATE over its GGUF Jinja chat template" },
  { name: "HTTPS_PROXY", default: "", description: "Proxy for registry traffic (also HTTP_PROXY, NO_PROXY)" },
];

/** A proxy variable as Go's http.ProxyFromEnvironment reads it: the upper-case name, else the lower-case one. */
export function proxyEnv(env: Env, name: "HTTPS_PROXY" | "HTTP_PROXY" | "NO_PROXY"): string {
  return env[name] ?? env[name.toLowerCase()] ?? "";
}

/** Values are trimmed of spaces and surrounding quotes, as Ollama's envconfig.Var does. */
export function envVar(env: Env, name: string): string {
  let v = (env[name] ?? "").trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) {
    v = v.slice(1, -1).trim();
  }
  return v;
}

/** Go's ParseBool, except that any other non-empty value counts as true (Ollama's rule). */
export function envBool(env: Env, name: string): boolean {
  const v = envVar(env, name);
  if (v === "") return false;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(v)) return false;
  return true;
}

/** Tri-state bool: undefined when unset. */
export function envOptionalBool(env: Env, name: string): boolean | undefined {
  return envVar(env, name) === "" ? undefined : envBool(env, name);
}

/** A variable whose value could not be read, and the default used instead (logged as Ollama logs it). */
export interface InvalidEnv {
  key: string;
  value: string;
  default: string;
}

/**
 * A duration as Ollama's envconfig reads one: a Go duration ("10m") or whole seconds ("600"); negative means
 * forever (FOREVER_MS), and zero too unless `zero` is "zero" (OLLAMA_KEEP_ALIVE=0 unloads at once); anything
 * else is noted in `invalid` and gives `fallbackMs`.
 */
export function envDuration(env: Env, name: string, fallbackMs: number, invalid: InvalidEnv[], zero: "forever" | "zero" = "forever"): number {
  const v = envVar(env, name);
  if (v === "") return fallbackMs;
  let ms: number;
  if (/^[-+]?\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    try {
      ms = parseGoDuration(v);
    } catch {
      invalid.push({ key: name, value: v, default: formatGoDuration(fallbackMs) });
      return fallbackMs;
    }
  }
  return ms < 0 || (ms === 0 && zero === "forever") ? FOREVER_MS : ms;
}

export function envUint(env: Env, name: string, fallback: number, invalid: InvalidEnv[]): number {
  const v = envVar(env, name);
  if (v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    invalid.push({ key: name, value: v, default: String(fallback) });
    return fallback;
  }
  return n;
}

export interface HostConfig {
  scheme: string;
  host: string;
  port: number;
  /** Path kept for the client (reverse proxies under a prefix). */
  path: string;
}

/** OLLAMA_HOST parsing (§4): optional scheme, default host 127.0.0.1, ports by scheme. */
export function parseHost(raw: string): HostConfig {
  let s = raw.trim();
  let scheme = "http";
  let defaultPort = 11434;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(s);
  if (m) {
    scheme = m[1].toLowerCase();
    s = s.slice(m[0].length);
    if (scheme === "http") defaultPort = 80;
    else if (scheme === "https") defaultPort = 443;
  } else if (s === "ollama.com") {
    return { scheme: "https", host: "ollama.com", port: 443, path: "" };
  }
  let path = "";
  const slash = s.indexOf("/");
  if (slash >= 0) {
    path = s.slice(slash).replace(/\/+$/, "");
    s = s.slice(0, slash);
  }
  let host = s;
  let portStr = "";
  if (s.startsWith("[")) {
    const end = s.indexOf("]");
    host = s.slice(1, end);
    portStr = s.slice(end + 1).replace(/^:/, "");
  } else {
    const colon = s.lastIndexOf(":");
    if (colon >= 0 && s.indexOf(":") === colon) {
      host = s.slice(0, colon);
      portStr = s.slice(colon + 1);
    }
  }
  if (host === "") host = "127.0.0.1";
  let port = defaultPort;
  if (portStr !== "") {
    const p = Number(portStr);
    if (Number.isInteger(p) && p >= 0 && p <= 65535) port = p;
  }
  return { scheme, host, port, path };
}

/** The host a client connects to: 0.0.0.0 and :: mean "this machine". */
export function connectableHost(h: HostConfig): HostConfig {
  if (h.host === "0.0.0.0" || h.host === "::") return { ...h, host: h.host === "::" ? "::1" : "127.0.0.1" };
  return h;
}

export function hostUrl(h: HostConfig): string {
  const host = h.host.includes(":") ? `[${h.host}]` : h.host;
  return `${h.scheme}://${host}:${h.port}${h.path}`;
}

/** CORS origins: OLLAMA_ORIGINS (not trimmed per entry, as Ollama) plus the defaults. */
export function allowedOrigins(env: Env): string[] {
  const extra = envVar(env, "OLLAMA_ORIGINS");
  const origins = extra ? extra.split(",") : [];
  for (const h of ["localhost", "127.0.0.1", "0.0.0.0"]) {
    origins.push(`http://${h}`, `https://${h}`, `http://${h}:*`, `https://${h}:*`);
  }
  origins.push("app://*", "file://*", "tauri://*", "vscode-webview://*", "vscode-file://*");
  return origins;
}

export function ollamaHome(env: Env): string {
  return join(env.HOME || homedir(), ".ollama");
}

export function modelsDir(env: Env): string {
  const v = envVar(env, "OLLAMA_MODELS");
  if (v) return v.startsWith("~/") ? join(env.HOME || homedir(), v.slice(2)) : v;
  return join(ollamaHome(env), "models");
}

/** Resolved server configuration: one object built by the entry point and passed down. */
export interface ServerConfig {
  /** Variables set to what cannot be read: the server logs each and runs with the default. */
  invalid: InvalidEnv[];
  host: HostConfig;
  modelsDir: string;
  home: string;
  origins: string[];
  /** OLLAMA_KEEP_ALIVE in ms (FOREVER_MS when negative); a value Ollama cannot read gives its 5m. */
  keepAliveMs: number;
  contextLength: number;
  maxLoadedModels: number;
  maxQueue: number;
  /** Requests one loaded model decodes together (its runner queues the rest). */
  numParallel: number;
  noPrune: boolean;
  debug: boolean;
  /** Bytes kept free on every GPU when fitting layers. */
  gpuOverhead: number;
  goTemplate: boolean;
  /** OLLAMA_LOAD_TIMEOUT in ms: a load without progress this long fails; FOREVER_MS for none. */
  loadTimeoutMs: number;
  /** OLLAMA_FLASH_ATTENTION; undefined when unset. */
  flashAttention: boolean | undefined;
  /** OLLAMA_KV_CACHE_TYPE as given; "" when unset. */
  kvCacheType: string;
}

export function serverConfig(env: Env = process.env): ServerConfig {
  const invalid: InvalidEnv[] = [];
  return {
    invalid,
    host: parseHost(envVar(env, "OLLAMA_HOST") || "127.0.0.1:11434"),
    modelsDir: modelsDir(env),
    home: ollamaHome(env),
    origins: allowedOrigins(env),
    keepAliveMs: envDuration(env, "OLLAMA_KEEP_ALIVE", 5 * 60_000, invalid, "zero"),
    contextLength: envUint(env, "OLLAMA_CONTEXT_LENGTH", 0, invalid),
    maxLoadedModels: envUint(env, "OLLAMA_MAX_LOADED_MODELS", 3, invalid) || 3,
    maxQueue: envUint(env, "OLLAMA_MAX_QUEUE", 512, invalid),
    numParallel: envUint(env, "OLLAMA_NUM_PARALLEL", 1, invalid) || 1,
    noPrune: envBool(env, "OLLAMA_NOPRUNE"),
    debug: envBool(env, "OLLAMA_DEBUG"),
    gpuOverhead: envUint(env, "OLLAMA_GPU_OVERHEAD", 0, invalid),
    goTemplate: envVar(env, "OLLAMA_GO_TEMPLATE") === "" ? true : envBool(env, "OLLAMA_GO_TEMPLATE"),
    loadTimeoutMs: envDuration(env, "OLLAMA_LOAD_TIMEOUT", 5 * 60_000, invalid),
    flashAttention: envOptionalBool(env, "OLLAMA_FLASH_ATTENTION"),
    kvCacheType: envVar(env, "OLLAMA_KV_CACHE_TYPE"),
  };
}

/** A duration as Go prints it; forever as "forever" (Go would print 2562047h47m16.854775807s). */
const durationValue = (ms: number) => (ms >= FOREVER_MS ? "forever" : formatGoDuration(ms));

/** A proxy URL without its user and password, which a log should not carry. */
function proxyValue(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/]*@/i, (_, scheme: string | undefined) => `${scheme ?? ""}***@`);
}

/**
 * What the server runs with, variable by variable, as resolved (defaults filled in): the map of Ollama's
 * "server config" line at startup, which users paste into bug reports.
 */
export function configValues(cfg: ServerConfig, env: Env): Record<string, string> {
  return {
    OLLAMA_HOST: hostUrl(cfg.host),
    OLLAMA_MODELS: cfg.modelsDir,
    OLLAMA_ORIGINS: `[${cfg.origins.join(" ")}]`,
    OLLAMA_KEEP_ALIVE: durationValue(cfg.keepAliveMs),
    OLLAMA_CONTEXT_LENGTH: String(cfg.contextLength),
    OLLAMA_MAX_LOADED_MODELS: String(cfg.maxLoadedModels),
    OLLAMA_MAX_QUEUE: String(cfg.maxQueue),
    OLLAMA_LOAD_TIMEOUT: durationValue(cfg.loadTimeoutMs),
    OLLAMA_NUM_PARALLEL: String(cfg.numParallel),
    OLLAMA_NOPRUNE: String(cfg.noPrune),
    OLLAMA_NOHISTORY: String(envBool(env, "OLLAMA_NOHISTORY")),
    OLLAMA_DEBUG: cfg.debug ? "DEBUG" : "INFO",
    OLLAMA_GPU_OVERHEAD: String(cfg.gpuOverhead),
    OLLAMA_FLASH_ATTENTION: cfg.flashAttention === undefined ? "auto" : String(cfg.flashAttention),
    OLLAMA_KV_CACHE_TYPE: cfg.kvCacheType,
    OLLAMA_GO_TEMPLATE: String(cfg.goTemplate),
    HTTPS_PROXY: proxyValue(proxyEnv(env, "HTTPS_PROXY")),
    HTTP_PROXY: proxyValue(proxyEnv(env, "HTTP_PROXY")),
    NO_PROXY: proxyEnv(env, "NO_PROXY"),
  };
}

/** Go's %v of a map[string]string: `map[k1:v1 k2:v2]`, keys sorted. */
export function goMap(values: Record<string, string>): string {
  return `map[${Object.keys(values).sort().map((k) => `${k}:${values[k]}`).join(" ")}]`;
}

/** The table printed by `herd serve --help`. */
export function envHelp(): string {
  const w = Math.max(...ENV_VARS.map((v) => v.name.length));
  return ENV_VARS.map((v) => `    ${v.name.padEnd(w)}   ${v.description}${v.default ? ` (default: ${v.default})` : ""}`).join("\n");
}
