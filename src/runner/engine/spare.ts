// One runner child forked ahead of need. Starting Node and importing the engine's modules is most of a cold
// load: on the build VM a forked child is ready after ~250 ms, and loading stories260K then takes ~40 ms. The
// server keeps one such child waiting (Node started, modules imported, no model: ~53 MB resident), hands it to
// the next load and forks the next spare once that load is done, so the fork never competes with the load it
// would have delayed. The first spare also answers the server's GPU probe (devices.ts), which loads the
// libraries into it: it then serves only loads those libraries serve. An idle spare holds no reference on the
// server's event loop, and it exits with the server (the child exits when its IPC channel closes).

import type { ChildProcess } from "node:child_process";
import type { GpuDevice } from "./fit.js";
import type { ChildMessage, ProbeResult } from "./protocol.js";

/** The probe's request id: below the ids runners use (from 0), so a runner that adopts the child ignores its answer. */
const PROBE_ID = -1;

export class SpareChild {
  private waiting: ChildProcess | undefined;
  /** The library package the waiting child loaded for the probe ("" CPU, "cuda", …); undefined: none loaded. */
  private variant: string | undefined;
  private closed = false;

  constructor(private readonly fork: () => ChildProcess) {}

  /** Forks the spare now, when there is none. */
  fill(): void {
    if (this.closed || this.waiting) return;
    const child = this.fork();
    this.waiting = child;
    this.variant = undefined;
    setRef(child, false);
    child.once("exit", () => {
      if (this.waiting === child) this.waiting = undefined;
    });
  }

  /**
   * The waiting child (referenced again, as a runner's child is), or a fresh fork when there is none, or when the
   * waiting one loaded a GPU package for the probe and this load is for the CPU (a process holds one ggml).
   */
  take(cpuOnly: boolean): ChildProcess {
    const child = this.waiting;
    const variant = this.variant;
    this.waiting = undefined;
    this.variant = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null || !child.connected) return this.fork();
    if (cpuOnly && variant) {
      child.kill("SIGKILL");
      return this.fork();
    }
    setRef(child, true);
    return child;
  }

  /** The GPUs the libraries of a model load would find, asked of the waiting child (forked if need be). */
  probe(timeoutMs: number): Promise<GpuDevice[]> {
    this.fill();
    const child = this.waiting;
    if (!child) return Promise.reject(new Error("the server is shutting down"));
    return new Promise((resolve, reject) => {
      let stderr = "";
      const onData = (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000));
      const settle = (err: Error | undefined, value?: ProbeResult) => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        child.stderr?.off("data", onData);
        if (this.waiting === child) setRef(child, false);
        if (err) reject(err);
        else {
          if (this.waiting === child) this.variant = value!.variant;
          resolve(value!.devices);
        }
      };
      const onMessage = (msg: ChildMessage) => {
        if (msg.type === "result" && msg.id === PROBE_ID) settle(undefined, msg.value as ProbeResult);
        else if (msg.type === "error" && msg.id === PROBE_ID) settle(new Error(msg.error.message));
      };
      const onExit = (code: number | null, signal: string | null) =>
        settle(new Error(`GPU probe exited (${signal ?? `status ${code}`}): ${stderr.trim().split("\n").pop() ?? ""}`));
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        settle(new Error(`GPU probe did not answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      timer.unref();
      child.on("message", onMessage);
      child.once("exit", onExit);
      child.stderr?.on("data", onData);
      // The answer is awaited: until it comes, the child counts on the event loop.
      setRef(child, true);
      child.send({ type: "probe", id: PROBE_ID });
    });
  }

  /** Kills the waiting child; no more are forked. */
  close(): void {
    this.closed = true;
    this.waiting?.kill("SIGKILL");
    this.waiting = undefined;
  }
}

/** The child's process, IPC and output pipe handles, counted on the event loop or not. */
function setRef(child: ChildProcess, ref: boolean): void {
  for (const h of [child, child.channel, child.stdout, child.stderr] as ({ ref?(): void; unref?(): void } | null | undefined)[]) {
    if (ref) h?.ref?.();
    else h?.unref?.();
  }
}
