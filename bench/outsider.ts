// A process that wakes at herd's streaming rate and works briefly each time, as herd's server and its client do
// for every batch of tokens they pass on. The engine bench runs the anchor loop with and without it: on a machine
// where generation threads occupy every CPU, what any woken process costs generation, whoever's it is.
//
// Run as a child: `node outsider.js <period ms> <work ms>`. It works by spinning on the clock, so the CPU it takes
// is the same on any machine.

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Starts the outsider; resolves once it runs. `pause()`/`resume()` stop and continue it (SIGSTOP/SIGCONT). */
export async function startOutsider(periodMs: number, workMs: number): Promise<{ pause: () => void; resume: () => void; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(import.meta.url), String(periodMs), String(workMs)], { stdio: ["ignore", "pipe", "ignore"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.once("error", reject);
  });
  return {
    pause: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [period, work] = process.argv.slice(2).map(Number);
  setInterval(() => {
    const t0 = performance.now();
    while (performance.now() - t0 < work);
  }, period);
  process.stdout.write("running\n");
}
