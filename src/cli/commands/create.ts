// `herd create NAME [-f Modelfile]` (ollama-spec §3, §7.1): parse the Modelfile, upload local GGUF files
// as blobs (hashed here, skipped when the server has them), then POST /api/create and show its progress.

import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
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

/** FROM a directory: the GGUF files in it (converting safetensors is not supported yet). */
function ggufFilesIn(dir: string): string[] {
  const files = readdirSync(dir).filter((f) => f.toLowerCase().endsWith(".gguf")).sort();
  if (!files.length) {
    throw new Error(`no GGUF file found in ${dir} (herd imports GGUF files; convert safetensors with llama.cpp's convert_hf_to_gguf.py first)`);
  }
  return files.map((f) => join(dir, f));
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
      const paths = statSync(local).isDirectory() ? ggufFilesIn(local) : [local];
      for (const p of paths) files[basename(p)] = await uploadFile(ctx, p);
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
      req.adapters[basename(p)] = await uploadFile(ctx, p);
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
