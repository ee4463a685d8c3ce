// `/api/create` with a Hugging Face checkpoint in `files` (or a PEFT adapter in `adapters`): the uploaded
// blobs are the model directory; the conversion streams into one new blob (ollama-spec §7.5). A failure at
// any point leaves no blob behind (the store's temp file is removed; a finished blob nothing references is
// collected by the caller).

import type { ProgressResponse } from "../api/types.js";
import { convertedBytes, type ConversionPlan, type OutType, planAdapter, planModel, SourceFiles } from "../convert/index.js";
import type { GgufValue } from "../gguf/index.js";
import { parseDigest } from "../name/index.js";
import type { BlobInfo, Store } from "../store/index.js";
import { BadRequestError } from "../util/errors.js";

export { isSafetensorsUpload } from "../convert/index.js";

/** Progress lines at most this often: a bar, not a flood. */
const PROGRESS_EVERY_MS = 100;

async function sourceFiles(store: Store, files: Record<string, string>): Promise<SourceFiles> {
  const paths: Record<string, string> = {};
  for (const [rel, digest] of Object.entries(files)) {
    if (!(await store.blobs.has(digest))) throw new BadRequestError(`blob "${parseDigest(digest)}" not found; upload it with POST /api/blobs/:digest first`);
    paths[rel] = store.blobs.path(digest);
  }
  return SourceFiles.of(paths);
}

async function writePlan(
  store: Store,
  plan: ConversionPlan,
  status: string,
  onProgress: (p: ProgressResponse) => void,
  signal?: AbortSignal,
): Promise<BlobInfo> {
  let last = 0;
  onProgress({ status });
  return store.blobs.write(
    convertedBytes(plan, {
      signal,
      onProgress(completed, total) {
        const now = Date.now();
        if (now - last < PROGRESS_EVERY_MS && completed < total) return;
        last = now;
        // No digest yet (it is known at the end): Ollama's placeholder, as its quantize bar uses.
        onProgress({ status, digest: "0000000000000000000", total, completed });
      },
    }),
  );
}

export async function convertModelFiles(
  store: Store,
  files: Record<string, string>,
  outType: OutType | undefined,
  onProgress: (p: ProgressResponse) => void,
  signal?: AbortSignal,
): Promise<BlobInfo> {
  const plan = await planModel(await sourceFiles(store, files), outType);
  return writePlan(store, plan, "converting model", onProgress, signal);
}

export async function convertAdapterFiles(
  store: Store,
  files: Record<string, string>,
  base: Record<string, GgufValue>,
  onProgress: (p: ProgressResponse) => void,
  signal?: AbortSignal,
): Promise<BlobInfo> {
  const plan = await planAdapter(await sourceFiles(store, files), base);
  return writePlan(store, plan, "converting adapter", onProgress, signal);
}
