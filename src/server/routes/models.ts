// Model management routes (ollama-spec §1.5, §7.3, §16.3): tags, show, create, copy, delete, pull, push, blobs.

import type { Hono } from "hono";
import { z } from "zod";
import type { ProgressResponse } from "../../api/types.js";
import { parseDigest } from "../../name/index.js";
import { BadRequestError, BlobNotFoundError } from "../../util/errors.js";
import { readBody } from "../body.js";
import type { AppDeps } from "../deps.js";
import { errorResponse, progressResponse } from "../stream.js";
import { requestSignal } from "../edge.js";

const nameFields = { model: z.string().optional(), name: z.string().optional() };

function requiredName(b: { model?: string; name?: string }): string {
  const n = b.model || b.name;
  if (!n) throw new BadRequestError("model is required");
  return n;
}

/** Runs a progress-reporting job as an AsyncIterable of ProgressResponse messages. */
export function progressStream(
  job: (onProgress: (p: ProgressResponse) => void, signal: AbortSignal) => Promise<void>,
  signal: AbortSignal,
): AsyncIterable<ProgressResponse> {
  return {
    async *[Symbol.asyncIterator]() {
      const queue: ProgressResponse[] = [];
      let wake: (() => void) | undefined;
      let finished = false;
      let failure: unknown;
      const done = job((p) => {
        queue.push(p);
        wake?.();
      }, signal).then(
        () => {
          finished = true;
          wake?.();
        },
        (err) => {
          failure = err;
          finished = true;
          wake?.();
        },
      );
      while (true) {
        if (queue.length) {
          yield queue.shift()!;
          continue;
        }
        if (finished) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      await done;
      if (failure) throw failure;
    },
  };
}

export function modelRoutes(app: Hono, deps: AppDeps): void {
  const { models } = deps;

  app.on(["GET", "HEAD"], "/api/tags", async (c) => c.json(await models.list()));

  app.post("/api/show", async (c) => {
    const body = await readBody(c, z.object({ ...nameFields, verbose: z.boolean().optional(), system: z.string().optional(), template: z.string().optional(), options: z.record(z.string(), z.unknown()).optional() }));
    return c.json(await models.show(requiredName(body), { verbose: body.verbose, system: body.system, options: body.options }));
  });

  app.post("/api/copy", async (c) => {
    const body = await readBody(c, z.object({ source: z.string(), destination: z.string() }));
    await models.copy(body.source, body.destination);
    return c.body(null, 200);
  });

  app.delete("/api/delete", async (c) => {
    const body = await readBody(c, z.object(nameFields));
    const name = requiredName(body);
    await deps.inference.unload(name).catch(() => {});
    await models.delete(name);
    return c.body(null, 200);
  });

  app.post("/api/create", async (c) => {
    const body = await readBody(
      c,
      z.looseObject({
        ...nameFields,
        from: z.string().optional(),
        files: z.record(z.string(), z.string()).optional(),
        adapters: z.record(z.string(), z.string()).optional(),
        template: z.string().optional(),
        license: z.union([z.string(), z.array(z.string())]).optional(),
        system: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        messages: z.array(z.object({ role: z.string(), content: z.string() }).loose()).optional(),
        quantize: z.string().optional(),
        quantization: z.string().optional(),
        requires: z.string().optional(),
        stream: z.boolean().optional(),
      }),
    );
    const name = requiredName(body);
    // Validation errors (bad name, no source) answer with a status before any progress line.
    await models.validateCreate(name, body);
    const signal = requestSignal(c);
    return progressResponse(progressStream((p, s) => models.create(name, body, p, s), signal), body.stream);
  });

  app.post("/api/pull", async (c) => {
    const body = await readBody(c, z.object({ ...nameFields, insecure: z.boolean().optional(), stream: z.boolean().optional() }));
    const name = requiredName(body);
    await models.validatePull(name, body.insecure ?? false);
    const signal = requestSignal(c);
    return progressResponse(progressStream((p, s) => models.pull(name, { insecure: body.insecure, signal: s }, p), signal), body.stream);
  });

  app.post("/api/push", async (c) => {
    const body = await readBody(c, z.object({ ...nameFields, insecure: z.boolean().optional(), stream: z.boolean().optional() }));
    const name = requiredName(body);
    const signal = requestSignal(c);
    return progressResponse(progressStream((p, s) => models.push(name, { insecure: body.insecure, signal: s }, p), signal), body.stream);
  });

  // Hono serves HEAD through GET handlers; Ollama has no GET here, so only HEAD answers.
  app.get("/api/blobs/:digest", async (c) => {
    if (c.req.method !== "HEAD" && !(c.env as { head?: boolean } | undefined)?.head) return c.text("405 method not allowed", 405);
    const digest = parseDigest(c.req.param("digest"));
    if (!(await deps.store.blobs.has(digest))) {
      return errorResponse(new BlobNotFoundError(digest));
    }
    return c.body(null, 200);
  });

  app.post("/api/blobs/:digest", async (c) => {
    const digest = parseDigest(c.req.param("digest"));
    if (await deps.store.blobs.has(digest)) return c.body(null, 200);
    const body = c.req.raw.body;
    if (!body) throw new BadRequestError("missing request body");
    // Streamed to disk while hashed; a cut-off upload or a mismatch leaves nothing behind.
    await deps.store.blobs.write(body, digest);
    return c.body(null, 201);
  });

}
