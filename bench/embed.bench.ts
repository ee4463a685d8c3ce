// Embedding throughput: 64 short inputs in one /api/embed request (batched through the engine) against
// the same 64 inputs one request at a time. Target (issue 5): batched ≥ 3× faster.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { model } from "../src/testing/fixtures.js";
import { startServer } from "../test/e2e/harness.js";

const INPUTS = Array.from({ length: 64 }, (_, i) => `short input number ${i} about cats and dogs`);

export async function run(): Promise<Record<string, number>> {
  const srv = await startServer({ OLLAMA_KEEP_ALIVE: "10m" });
  try {
    const bytes = readFileSync(model("synthetic/bert-embed-synthetic.gguf"));
    const digest = "sha256:" + createHash("sha256").update(bytes).digest("hex");
    await fetch(`${srv.url}/api/blobs/${digest}`, { method: "POST", body: bytes });
    await fetch(`${srv.url}/api/create`, { method: "POST", body: JSON.stringify({ model: "bert", files: { "m.gguf": digest }, stream: false }) });
    const embed = async (input: string | string[]) => {
      const r = await fetch(`${srv.url}/api/embed`, { method: "POST", body: JSON.stringify({ model: "bert", input }) });
      const j = await r.json();
      if (!r.ok) throw new Error(JSON.stringify(j));
      return j;
    };
    await embed("warm up");
    const best = async (fn: () => Promise<unknown>) => {
      let min = Infinity;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await fn();
        min = Math.min(min, performance.now() - t0);
      }
      return min;
    };
    const batched = await best(() => embed(INPUTS));
    const single = await best(async () => {
      for (const s of INPUTS) await embed(s);
    });
    return { batched_ms: batched, one_by_one_ms: single, "speedup (target >= 3)": single / batched, batched_inputs_per_s: (INPUTS.length / batched) * 1000 };
  } finally {
    await srv.stop();
  }
}

if (fileURLToPath(import.meta.url) === process.argv[1]) console.log(await run());
