// Pull throughput from a loopback CNCF registry for a 1 GiB blob, against `curl` fetching the same
// blob from the same registry (target: pull ≥ 0.8× curl), the pull's CPU time (all its threads), and
// what sha256 alone costs on the pulled blob.
// Run alone: `node --import tsx bench/pull.bench.ts` (needs /usr/bin/docker-registry: scripts/registry.sh).

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { pullModel } from "../src/models/pull.js";
import { pushModel } from "../src/models/push.js";
import { createRegistryClient } from "../src/registry/index.js";
import { makeModel } from "../src/registry/testing/fixture-model.js";
import { startRegistry } from "../src/registry/testing/registry-server.js";
import { BlobStore, Store } from "../src/store/index.js";
import { tempDir } from "../src/testing/fixtures.js";
import { median } from "./stats.js";

const SIZE = 1 << 30;
const ROUNDS = 5;


async function* pseudoRandom(size: number): AsyncGenerator<Uint8Array> {
  // 16 MiB of random bytes, each copy stamped with its index: unique content without 1 GiB of RNG time.
  const block = randomBytes(16 << 20);
  for (let i = 0; i * block.length < size; i++) {
    const b = Buffer.from(block);
    b.writeUInt32BE(i, 0);
    yield b;
  }
}

export async function run(): Promise<Record<string, number>> {
  const tmp = tempDir("herd-pull-bench-");
  const reg = await startRegistry();
  try {
    const client = createRegistryClient();
    const src = new Store(join(tmp.dir, "src"));
    const name = `${reg.host}/bench/big:latest`;
    const { model } = await makeModel(src, name, { bytes: pseudoRandom(SIZE) });
    await pushModel(src, client, name, { insecure: true });
    await rm(src.root, { recursive: true, force: true });

    // Alternating rounds, each transfer after `sync` so neither pays for the other's write-back;
    // medians, since single runs on two shared cores swing by a third.
    const out = join(tmp.dir, "curl.out");
    const url = `${reg.url}/v2/bench/big/blobs/${model.digest}`;
    const curlRuns: number[] = [];
    const pullRuns: number[] = [];
    const cpuRuns: number[] = [];
    let dst: Store | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      // Both transfers write into page cache just freed by the previous one: on this VM, pages the
      // host has taken back cost a fault each, which made whichever went first look twice as slow.
      if (dst) await rm(dst.root, { recursive: true, force: true });
      spawnSync("sync");
      const t0 = performance.now();
      const curl = spawnSync("curl", ["-sf", "-o", out, url]);
      curlRuns.push((performance.now() - t0) / 1000);
      if (curl.status !== 0) throw new Error(`curl failed: ${curl.stderr}`);
      await rm(out, { force: true });

      dst = new Store(join(tmp.dir, `dst-${round}`));
      spawnSync("sync");
      const cpu0 = process.cpuUsage();
      const t1 = performance.now();
      await pullModel(dst, client, name, { insecure: true });
      pullRuns.push((performance.now() - t1) / 1000);
      const cpu = process.cpuUsage(cpu0);
      cpuRuns.push((cpu.user + cpu.system) / 1e6);
    }
    const curlS = median(curlRuns);
    const pullS = median(pullRuns);
    const ratios = curlRuns.map((c, i) => c / pullRuns[i]);

    // The hashing share, measured alone on the pulled (page-cached) blob.
    const h0 = process.cpuUsage();
    const th = performance.now();
    const { digest } = await BlobStore.hashFile(dst!.blobs.path(model.digest));
    const hashS = (performance.now() - th) / 1000;
    const hashCpu = process.cpuUsage(h0);
    if (digest !== model.digest) throw new Error("pulled blob does not match");

    const mb = SIZE / 1e6;
    return {
      blob_mb: mb,
      curl_mb_s: mb / curlS,
      pull_mb_s: mb / pullS,
      pull_vs_curl_ratio: curlS / pullS,
      pull_vs_curl_min: Math.min(...ratios),
      pull_vs_curl_max: Math.max(...ratios),
      pull_cpu_s: median(cpuRuns),
      hash_cpu_s: (hashCpu.user + hashCpu.system) / 1e6,
      hash_mb_s: mb / hashS,
    };
  } finally {
    await reg.stop();
    tmp.cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href || fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await run());
}
