// Blob uploads (ollama-spec §6): HEAD to skip blobs the registry has, cross-repository mount when the
// layer records its source, else an upload session fed by chunked PATCHes (`Content-Range: a-b`)
// and closed by `PUT ?digest=`. A failed chunk asks the session how far it got and resumes there, or
// opens a new session when the registry has voided the old one.

import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { type ModelName, parseNameLoose } from "../name/index.js";
import type { Layer } from "../store/index.js";
import { RegistryError } from "../util/errors.js";
import { type RegistryClient, repositoryUrl } from "./client.js";
import { defaultPartSize, type TransferTuning } from "./download.js";

export interface UploadRequest {
  client: RegistryClient;
  name: ModelName;
  layer: Layer;
  /** The blob's file in the store. */
  path: string;
  insecure?: boolean;
  signal?: AbortSignal;
  onProgress?: (completed: number) => void;
  tuning?: TransferTuning;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

async function fail(res: Response): Promise<never> {
  throw new RegistryError(`${res.status}: ${(await res.text().catch(() => "")).trim()}`);
}

function sessionUrl(res: Response, base: string): string {
  const loc = res.headers.get("docker-upload-location") ?? res.headers.get("location");
  if (!loc) throw new RegistryError("http: no Location header in response");
  return new URL(loc, base).href;
}

function withQuery(url: string, key: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(key, value);
  return u.href;
}

/** Uploads one blob unless the registry has it. Returns how it got there. */
export async function uploadBlob(req: UploadRequest): Promise<"exists" | "mounted" | "uploaded"> {
  const { client, layer, signal, tuning = {} } = req;
  const repo = repositoryUrl(req.name, req.insecure);
  const head = await client.send("HEAD", `${repo}/blobs/${layer.digest}`, { signal });
  await head.body?.cancel().catch(() => {});
  if (head.status === 200) {
    req.onProgress?.(layer.size);
    return "exists";
  }
  if (head.status !== 404) await fail(head);

  let start = `${repo}/blobs/uploads/`;
  if (layer.from) {
    const from = parseNameLoose(layer.from);
    if (from.host.toLowerCase() === req.name.host.toLowerCase()) {
      start += `?mount=${encodeURIComponent(layer.digest)}&from=${encodeURIComponent(`${from.namespace}/${from.model}`)}`;
    }
  }
  const post = await client.send("POST", start, { signal });
  if (post.status === 201) {
    await post.body?.cancel().catch(() => {});
    req.onProgress?.(layer.size);
    return "mounted";
  }
  if (post.status !== 202) await fail(post);
  await post.body?.cancel().catch(() => {});
  let session = sessionUrl(post, start);

  const total = layer.size;
  const partSize = Math.max(1, tuning.partSize ?? defaultPartSize(total));
  const maxRetries = tuning.maxRetries ?? 6;
  const delay = tuning.retryDelayMs ?? ((n: number) => 2 ** n * 1000);
  let offset = 0;
  let tries = 0;
  while (offset < total) {
    const end = Math.min(offset + partSize, total) - 1;
    const body = () => Readable.toWeb(createReadStream(req.path, { start: offset, end })) as ReadableStream<Uint8Array>;
    const headers = {
      "content-type": "application/octet-stream",
      "content-length": String(end - offset + 1),
      "content-range": `${offset}-${end}`,
      "x-redirect-uploads": "1",
    };
    try {
      const res = await client.request("PATCH", session, { headers, body, signal });
      if (res.status === 307) {
        // The registry wants this chunk PUT to another URL (a CDN), without our credentials.
        const target = new URL(res.headers.get("location") ?? "", session).href;
        const next = res.headers.get("docker-upload-location");
        await res.body?.cancel().catch(() => {});
        const put = await client.send("PUT", target, { headers, body, signal, anonymous: true });
        if (put.status >= 300) await fail(put);
        await put.body?.cancel().catch(() => {});
        if (next) session = new URL(next, session).href;
      } else {
        if (res.status !== 202 && res.status !== 204) await fail(res);
        await res.body?.cancel().catch(() => {});
        session = sessionUrl(res, session);
      }
      offset = end + 1;
      tries = 0;
      req.onProgress?.(offset);
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (++tries >= maxRetries) throw e;
      await sleep(delay(tries), signal);
      // Ask the session what it holds, so a chunk that landed before the error is not sent twice.
      // A session the registry no longer accepts (a torn chunk breaks distribution's upload state)
      // is replaced by a new one, starting over.
      const status = await client.request("GET", session, { signal }).catch(() => undefined);
      await status?.body?.cancel().catch(() => {});
      const range = /^(?:bytes=)?0-(\d+)$/.exec(status?.headers.get("range") ?? "");
      if (status?.status === 204 && range) {
        offset = Number(range[1]) + 1;
        session = sessionUrl(status, session);
      } else {
        const fresh = await client.send("POST", `${repo}/blobs/uploads/`, { signal }).catch(() => undefined);
        await fresh?.body?.cancel().catch(() => {});
        if (fresh?.status === 202) {
          session = sessionUrl(fresh, `${repo}/blobs/uploads/`);
          offset = 0;
        }
      }
    }
  }
  const put = await client.request("PUT", withQuery(session, "digest", layer.digest), {
    headers: { "content-length": "0" },
    signal,
  });
  if (put.status !== 201 && put.status !== 204) await fail(put);
  await put.body?.cancel().catch(() => {});
  req.onProgress?.(total);
  return "uploaded";
}

/** PUTs the manifest bytes under the tag. */
export async function putManifest(
  client: RegistryClient,
  name: ModelName,
  raw: Buffer,
  opts: { insecure?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const url = `${repositoryUrl(name, opts.insecure)}/manifests/${name.tag}`;
  const res = await client.send("PUT", url, {
    headers: { "content-type": "application/vnd.docker.distribution.manifest.v2+json" },
    body: raw,
    signal: opts.signal,
  });
  if (res.status >= 300) await fail(res);
  await res.body?.cancel().catch(() => {});
}
