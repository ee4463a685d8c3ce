// The GPUs a model load would find, for the scheduler's plans (the load itself asks ggml again, in its own
// child). Probed once, in a short-lived child process, as Ollama discovers GPUs once at startup; the free
// memory of that moment, less what loaded models hold (`freeAfter`), is what a new load can use.

import { fork } from "node:child_process";
import type { GpuDevice } from "./fit.js";
import { childEntry, childExecArgv } from "./runner.js";

/** Longer than any driver's initialization; a probe still running by then counts as no GPU. */
const PROBE_TIMEOUT_MS = 60_000;

/** The GPUs of the libraries a model child loads; [] when there are none or the probe fails (`onError` says why). */
export function probeGpus(opts: { entry?: string; onError?: (message: string) => void } = {}): Promise<GpuDevice[]> {
  return new Promise((resolve) => {
    const child = fork(opts.entry ?? childEntry(import.meta.url, "./devices-child"), [], {
      execArgv: childExecArgv(),
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    let settled = false;
    const finish = (devices: GpuDevice[], error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined) opts.onError?.(error);
      resolve(devices);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish([], `GPU probe did not answer within ${PROBE_TIMEOUT_MS / 1000} s`);
    }, PROBE_TIMEOUT_MS);
    timer.unref();
    child.on("message", (msg: { devices?: GpuDevice[]; error?: string }) => finish(msg.devices ?? [], msg.error));
    child.on("error", (err) => finish([], err.message));
    child.on("exit", (code, signal) => finish([], `GPU probe exited (${signal ?? `status ${code}`}): ${stderr.trim().split("\n").pop() ?? ""}`));
  });
}
