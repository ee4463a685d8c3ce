// Lightness (issue #14): idle `herd serve` resident memory (target ≤ 80 MB) and `herd list` wall time
// (target ≤ 250 ms), each beside its anchor measured in the same run: a bare Node process idling,
// and `node -e 0` started and ended the same way. On a busy machine both sides grow together; the
// difference is what herd adds.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { tempDir } from "../src/testing/fixtures.js";
import { freePort } from "../src/testing/net.js";
import { HERD_BIN } from "../test/e2e/harness.js";
import { median } from "./stats.js";


/** Resident set size of a running process, in MB (Linux /proc). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  if (!line) throw new Error(`no VmRSS for ${pid}`);
  return Number(line[1]) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wall time of one process from spawn to exit, in ms. */
function timed(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${args.join(" ")}: exit ${code}\n${err}`))));
  });
}

/** RSS of a process after it has settled (idle), sampled a few times; the last sample. */
async function idleRss(pid: number): Promise<number> {
  let rss = 0;
  for (let i = 0; i < 3; i++) {
    await sleep(1000);
    rss = rssMb(pid);
  }
  return rss;
}

export async function run(): Promise<Record<string, number | string>> {
  const { dir, cleanup } = tempDir("herd-bench-light-");
  const port = await freePort();
  const env = { ...process.env, HOME: dir, OLLAMA_HOST: `127.0.0.1:${port}`, OLLAMA_MODELS: join(dir, "models") };
  const bare = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e6)"], { stdio: "ignore" });
  const serve = spawn(process.execPath, [HERD_BIN, "serve"], { env, stdio: "ignore" });
  try {
    const deadline = Date.now() + 30_000;
    while (!(await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false))) {
      if (serve.exitCode !== null || Date.now() > deadline) throw new Error("herd serve did not start");
      await sleep(100);
    }
    const [bareRss, serveRss] = await Promise.all([idleRss(bare.pid!), idleRss(serve.pid!)]);

    const nodeMs: number[] = [];
    const listMs: number[] = [];
    for (let i = 0; i < 9; i++) {
      nodeMs.push(await timed(["-e", "0"], env));
      listMs.push(await timed([HERD_BIN, "list"], env));
    }
    const node = median(nodeMs);
    const list = median(listMs);
    return {
      "anchor: bare node idle RSS MB": bareRss,
      "herd serve idle RSS MB (target ≤ 80)": serveRss,
      "herd serve RSS over bare node MB": serveRss - bareRss,
      "anchor: node -e 0 median ms": node,
      "herd list median ms (target ≤ 250)": list,
      "herd list over node -e 0 ms": list - node,
    };
  } finally {
    bare.kill();
    serve.kill("SIGTERM");
    await new Promise((r) => (serve.exitCode !== null ? r(undefined) : serve.once("exit", r)));
    cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href || fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await run());
}
