// `herd create NAME [-f Modelfile]` (ollama-spec §3, §7.1): parse the Modelfile, upload local GGUF files
// or a Hugging Face directory's files as blobs (hashed here, skipped when the server has them), then POST /api/create and show its progress.

import { createReadStream, existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import type { CreateRequest } from "../../api/types.js";
import { expandModelfilePath, interpretModelfile, parseModelfile } from "../../modelfile/index.js";
import { BlobStore } from "../../store/blobs.js";
import { type CliContext, requireServer } from "../context.js";
import { Progress } from "../progress.js";
import { showProgress } from "./transfer.js";

/** Hashes a local file and uploads it unless the server already has it. Returns its digest. */
export async function uploadFile(ctx: CliContext, path: string): Promise<string> {
  const { digest, size } = await BlobStore.hashFile(path);
  if (await ctx.client.hasBlob(digest)) return digest;
  const progress = new Progress(ctx.stderr);
  const status = `copying file ${digest}`;
  let sent = 0;
  const counted = Readable.from(
    (async function* () {
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
        sent += (chunk as Buffer).length;
        progress.update({ status, digest, total: size, completed: sent });
        yield chunk as Buffer;
      }
    })(),
  );
  try {
    progress.update({ status, digest, total: size, completed: 0 });
    await ctx.client.createBlob(digest, Readable.toWeb(counted) as ReadableStream<Uint8Array>, size);
  } finally {
    progress.stop();
  }
  return digest;
}

/**
 * FROM/ADAPTER a directory (Ollama's filesForModel): a Hugging Face checkpoint — its `*.safetensors`, the
 * JSON files beside them and one level down (sentence-transformers' `1_Pooling/config.json`),
 * `tokenizer.model`, `chat_template.jinja` — or else its GGUF files. Keys are paths relative to the
 * directory, which the server sees as the model directory. A symlink leading outside it is refused.
 */
export function modelFilesIn(dir: string): Record<string, string> {
  const top = readdirSync(dir).sort();
  const picked: string[] = [];
  if (top.some((f) => f.endsWith(".safetensors"))) {
    for (const f of top) {
      if (f.endsWith(".safetensors") || f.endsWith(".json") || f === "tokenizer.model" || f === "chat_template.jinja") picked.push(f);
      else if (statSync(join(dir, f)).isDirectory()) {
        for (const g of readdirSync(join(dir, f)).sort()) if (g.endsWith(".json")) picked.push(`${f}/${g}`);
      }
    }
  } else {
    picked.push(...top.filter((f) => f.toLowerCase().endsWith(".gguf")));
  }
  if (!picked.length) throw new Error(`no safetensors or GGUF files found in ${dir}`);
  const root = realpathSync(dir);
  const out: Record<string, string> = {};
  for (const rel of picked) {
    const real = realpathSync(join(dir, rel));
    const r = relative(root, real);
    if (r.startsWith("..") || r.startsWith(sep)) {
      throw new Error(`insecure path: ${rel} links outside ${dir} (copy the model out of the Hugging Face .cache instead of pointing at its snapshot)`);
    }
    out[rel] = join(dir, rel);
  }
  return out;
}

export async function createCommand(ctx: CliContext, model: string, opts: { file?: string; quantize?: string }): Promise<void> {
  const path = resolve(opts.file ?? "Modelfile");
  if (!existsSync(path)) {
    throw new Error(opts.file ? `no Modelfile found at "${opts.file}"` : `no Modelfile found in the current directory; pass one with -f`);
  }
  const spec = interpretModelfile(parseModelfile(readFileSync(path)));
  for (const w of spec.warnings) ctx.stderr.write(w + "\n");
  if (!spec.from.length) throw new Error("no FROM line");
  await requireServer(ctx);

  const req: CreateRequest = { model };
  const files: Record<string, string> = {};
  const dir = dirname(path);
  for (const from of spec.from) {
    const local = expandModelfilePath(from, dir);
    if (existsSync(local)) {
      const paths = statSync(local).isDirectory() ? modelFilesIn(local) : { [basename(local)]: local };
      for (const [rel, p] of Object.entries(paths)) files[rel] = await uploadFile(ctx, p);
    } else if (req.from === undefined && !Object.keys(files).length) {
      req.from = from;
    } else {
      throw new Error(`${from}: no such file`);
    }
  }
  if (Object.keys(files).length) req.files = files;
  if (spec.adapters.length) {
    req.adapters = {};
    for (const a of spec.adapters) {
      const p = expandModelfilePath(a, dir);
      if (!existsSync(p)) throw new Error(`${a}: no such file`);
      const paths = statSync(p).isDirectory() ? modelFilesIn(p) : { [basename(p)]: p };
      for (const [rel, f] of Object.entries(paths)) req.adapters[rel] = await uploadFile(ctx, f);
    }
  }
  if (spec.template !== undefined) req.template = spec.template;
  if (spec.system !== undefined) req.system = spec.system;
  if (spec.license.length) req.license = spec.license;
  if (Object.keys(spec.parameters).length) req.parameters = spec.parameters;
  if (spec.messages.length) req.messages = spec.messages;
  if (spec.requires) req.requires = spec.requires;
  if (opts.quantize) req.quantize = opts.quantize;
  await showProgress(ctx, ctx.client.create(req));
}
