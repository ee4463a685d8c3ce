// `herd pull` and `herd push`: progress bars on a terminal, plain lines when piped (§3, §16.3).

import type { ProgressResponse } from "../../api/types.js";
import type { CliContext } from "../context.js";
import { Progress } from "../progress.js";

export async function showProgress(ctx: CliContext, stream: AsyncIterable<ProgressResponse>, skipZero = false): Promise<void> {
  const progress = new Progress(ctx.stderr);
  try {
    for await (const p of stream) {
      // Ollama's pull ignores the first `completed == 0` update of a layer.
      if (skipZero && p.digest && !p.completed) continue;
      progress.update(p);
    }
  } finally {
    progress.stop();
  }
}

export async function pullCommand(ctx: CliContext, model: string, opts: { insecure?: boolean }): Promise<void> {
  await showProgress(ctx, ctx.client.pull({ model, insecure: opts.insecure }), true);
}

export async function pushCommand(ctx: CliContext, model: string, opts: { insecure?: boolean }): Promise<void> {
  await showProgress(ctx, ctx.client.push({ model, insecure: opts.insecure }));
}
