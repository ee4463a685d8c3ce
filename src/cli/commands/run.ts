// `herd run MODEL [PROMPT…]` (ollama-spec §3.1): make sure a server runs and the model exists (pull it,
// or import a .gguf path), then embed, answer once, or open the interactive REPL.

import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { Readable } from "node:stream";
import { ApiError } from "../../api/client.js";
import { attachImages, isMultimodal } from "../attach-images.js";
import type { Format, GenerateRequest, GenerateResponse, ShowResponse, Think } from "../../api/types.js";
import { envBool } from "../../config/env.js";
import { parseGoDuration } from "../../util/duration.js";
import { ensureServer } from "../autostart.js";
import type { CliContext } from "../context.js";
import { ChatSession, formatStats, preload, ResponseRenderer, runRepl, wrapWidthFor } from "../repl/index.js";
import { showProgress } from "./transfer.js";

export interface RunFlags {
  keepalive?: string;
  verbose?: boolean;
  insecure?: boolean;
  nowordwrap?: boolean;
  format?: string;
  think?: true | string;
  hidethinking?: boolean;
  truncate?: boolean;
  dimensions?: string;
}

export interface RunDeps {
  stdin?: NodeJS.ReadStream;
}

/** `--think` as Ollama reads it: bare = true, else true|false|low|medium|high|max. */
export function parseThinkFlag(value: true | string | undefined): Think | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === "" || value === "true") return true;
  if (value === "false") return false;
  if (value === "low" || value === "medium" || value === "high" || value === "max") return value;
  throw new Error(`invalid value for --think: ${JSON.stringify(value)} (must be true, false, high, medium, or low)`);
}

function parseFormat(value: string | undefined): Format | undefined {
  if (!value) return undefined;
  if (value === "json") return "json";
  try {
    const schema = JSON.parse(value);
    if (schema && typeof schema === "object" && !Array.isArray(schema)) return schema as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new Error(`invalid format: ${JSON.stringify(value)}; expected "json" or a valid JSON Schema object`);
}

/** A model name from a file name: lower-cased, characters a name cannot hold become "-". */
export function modelNameForFile(path: string): string {
  const stem = basename(path).replace(/\.gguf$/i, "").toLowerCase();
  const name = stem.replace(/[^a-z0-9_.-]/g, "-").replace(/^[^a-z0-9]+/, "");
  return name || "model";
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * A GGUF path no model name can be: "./x.gguf", "/abs/x.gguf", "~/x.gguf" ("dir/x.gguf" could name a model
 * in namespace "dir", so it is left to the registry).
 */
function looksLikePath(arg: string): boolean {
  return /\.gguf$/i.test(arg) && /^(\.{1,2}[/\\]|[/\\~]|[a-z]:[/\\])/i.test(arg);
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex")}`;
}

/** Uploads a local GGUF (unless the server has it) and creates a model named after the file. */
export async function importGguf(ctx: CliContext, path: string): Promise<string> {
  const name = modelNameForFile(path);
  const digest = await sha256File(path);
  if (!(await ctx.client.hasBlob(digest))) {
    const size = statSync(path).size;
    const body = Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
    await ctx.client.createBlob(digest, body, size);
  }
  await showProgress(ctx, ctx.client.create({ model: name, files: { "model.gguf": digest } }));
  return name;
}

async function showOrPull(ctx: CliContext, model: string, insecure?: boolean): Promise<ShowResponse> {
  try {
    return await ctx.client.show({ model });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  await showProgress(ctx, ctx.client.pull({ model, insecure }), true);
  return ctx.client.show({ model });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export async function runCommand(ctx: CliContext, model: string, promptWords: string[], opts: RunFlags, deps: RunDeps = {}): Promise<void> {
  const stdin = deps.stdin ?? process.stdin;
  const think = parseThinkFlag(opts.think);
  const format = parseFormat(opts.format);
  if (opts.keepalive !== undefined) parseGoDuration(opts.keepalive);
  const keepAlive = opts.keepalive;

  await ensureServer(ctx);
  if (isFile(model)) model = await importGguf(ctx, model);
  else if (looksLikePath(model)) throw new Error(`open ${model}: no such file`);
  const info = await showOrPull(ctx, model, opts.insecure);
  const caps = info.capabilities ?? [];
  const effectiveThink = think ?? (caps.includes("thinking") ? true : undefined);

  let prompt = promptWords.join(" ");
  if (!stdin.isTTY) {
    // Piped text comes first ("summarize this:" style prompts follow it); nothing piped changes nothing.
    const piped = await readAll(stdin);
    if (piped) prompt = [piped, ...promptWords].join(" ");
  }

  if (caps.includes("embedding") && !caps.includes("completion")) {
    if (!prompt) throw new Error(`embedding models require input text. Usage: herd run ${model} "your text here"`);
    const dims = opts.dimensions !== undefined ? Number(opts.dimensions) : undefined;
    if (dims !== undefined && (!Number.isInteger(dims) || dims < 0)) throw new Error(`invalid argument "${opts.dimensions}" for "--dimensions" flag`);
    const res = await ctx.client.embed({
      model,
      input: prompt,
      ...(opts.truncate ? { truncate: true } : {}),
      ...(dims ? { dimensions: dims } : {}),
      ...(keepAlive !== undefined ? { keep_alive: keepAlive } : {}),
    });
    ctx.stdout.write(JSON.stringify(res.embeddings[0] ?? []) + "\n");
    return;
  }

  const interactive = promptWords.length === 0 && Boolean(stdin.isTTY) && Boolean(ctx.stdout.isTTY);
  if (!interactive) {
    let images: string[] | undefined;
    if (isMultimodal(caps)) ({ prompt, images } = await attachImages(prompt, (l) => ctx.stderr.write(l)));
    await generateOnce(ctx, { model, prompt, images, format, keep_alive: keepAlive, think: effectiveThink }, opts);
    return;
  }

  const session = new ChatSession({
    model,
    think: effectiveThink,
    format,
    keepAlive,
    wordWrap: !opts.nowordwrap,
    verbose: Boolean(opts.verbose),
    hideThinking: Boolean(opts.hidethinking),
    history: true,
    multimodal: isMultimodal(caps),
  });
  const io = { client: ctx.client, stdout: ctx.stdout, stderr: ctx.stderr };
  await preload(io, session);
  const historyFile = envBool(ctx.env, "OLLAMA_NOHISTORY") ? undefined : join(ctx.env.HOME || homedir(), ".ollama", "history");
  await runRepl({ ...io, stdin, historyFile }, session, info);
}

/** The non-interactive path: one streamed /api/generate printed as it arrives. */
async function generateOnce(ctx: CliContext, fields: Omit<GenerateRequest, "stream">, opts: RunFlags): Promise<void> {
  const req: GenerateRequest = { model: fields.model, prompt: fields.prompt };
  if (fields.images?.length) req.images = fields.images;
  if (fields.format) req.format = fields.format;
  if (fields.keep_alive !== undefined) req.keep_alive = fields.keep_alive;
  if (fields.think !== undefined) req.think = fields.think;
  const tty = Boolean(ctx.stdout.isTTY);
  const renderer = new ResponseRenderer({
    write: (s) => ctx.stdout.write(s),
    wrapWidth: wrapWidthFor(ctx.stdout.columns, tty && !opts.nowordwrap),
    plain: !tty,
    hideThinking: Boolean(opts.hidethinking),
  });
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once("SIGINT", onSigint);
  let last: GenerateResponse | undefined;
  try {
    for await (const r of ctx.client.generate(req, ac.signal)) {
      last = r;
      renderer.thinking(r.thinking ?? "");
      renderer.content(r.response ?? "");
    }
  } catch (e) {
    if (ac.signal.aborted) {
      renderer.finish();
      ctx.stdout.write("\n");
      return;
    }
    throw e;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
  renderer.finish();
  ctx.stdout.write(fields.prompt ? "\n\n" : "\n");
  if (opts.verbose && last?.done) ctx.stderr.write(formatStats(last));
}
