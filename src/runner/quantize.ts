// Quantization as a cancellable job: llama_model_quantize runs in a child process (a native call cannot be
// interrupted in-process), progress comes from its per-tensor log lines (`[  i/  n]`), and an abort kills the
// child and removes the partial output.

import { fork } from "node:child_process";
import { rm } from "node:fs/promises";
import { childEntry } from "./engine/runner.js";
import type { QuantizeJob } from "./native/quantize.js";
import { CanceledError } from "../util/errors.js";

export type { QuantizeJob, QuantizeFtype } from "./native/quantize.js";

export interface QuantizeRunOptions {
  signal?: AbortSignal;
  /** Tensors done of the total, as llama.cpp reports them. */
  onProgress?: (done: number, total: number) => void;
}

const PROGRESS = /\[\s*(\d+)\s*\/\s*(\d+)\s*\]/;

export async function runQuantize(job: QuantizeJob, opts: QuantizeRunOptions = {}): Promise<void> {
  if (opts.signal?.aborted) throw new CanceledError();
  const entry = childEntry(import.meta.url, "./native/quantize-child");
  const child = fork(entry, [JSON.stringify(job)], { execArgv: [], stdio: ["ignore", "ignore", "pipe", "ipc"] });
  const tail: string[] = [];
  let pending = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      const m = PROGRESS.exec(line);
      if (m) opts.onProgress?.(Number(m[1]), Number(m[2]));
      else if (line.trim()) {
        tail.push(line);
        if (tail.length > 8) tail.shift();
      }
    }
  });
  const onAbort = () => child.kill("SIGKILL");
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", (c) => resolve(c));
    });
    if (opts.signal?.aborted) throw new CanceledError();
    if (code !== 0) {
      const msg = tail.find((l) => l.startsWith("herd-quantize-error: "))?.slice(21) ?? tail.join("; ");
      throw new Error(`quantization failed: ${msg || `exit code ${code}`}`);
    }
  } catch (e) {
    await rm(job.output, { force: true });
    throw e;
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
}
