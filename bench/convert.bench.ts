// Safetensors → GGUF conversion throughput on a ~1 GB synthetic F32 Llama checkpoint (F16 output, hashed
// into a blob store as the server does) against the anchor: copying the same bytes into the same store
// (read, sha256, write, fsync). Then llama_model_quantize of the converted F16 model to Q4_K_M. Peak RSS
// of each job is measured in its own process, at two model sizes (target: independent of model size).

import { fork } from "node:child_process";
import { createReadStream, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { convertedBytes, planModel, SourceFiles, writeSafetensors } from "../src/convert/index.js";
import { writeTokenizer } from "../src/convert/testing.js";
import { quantizeModel } from "../src/runner/native/quantize.js";
import { BlobStore } from "../src/store/blobs.js";
import { tempDir } from "../src/testing/fixtures.js";

const H = 2048;
const FF = 5632;
const V = 32000;

/** Writes a Llama checkpoint with `layers` blocks of random F32 weights, streamed (never whole in memory). */
async function writeCheckpoint(dir: string, layers: number): Promise<number> {
  mkdirSync(dir, { recursive: true });
  await writeTokenizer(dir, "llama-spm");
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({ architectures: ["LlamaForCausalLM"], vocab_size: V, hidden_size: H, intermediate_size: FF, num_hidden_layers: layers, num_attention_heads: 16, num_key_value_heads: 4, max_position_embeddings: 4096, rms_norm_eps: 1e-5, rope_theta: 10000 }),
  );
  const shapes: [string, number[]][] = [["model.embed_tokens.weight", [V, H]], ["model.norm.weight", [H]]];
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}.`;
    shapes.push(
      [`${p}input_layernorm.weight`, [H]],
      [`${p}post_attention_layernorm.weight`, [H]],
      [`${p}self_attn.q_proj.weight`, [H, H]],
      [`${p}self_attn.k_proj.weight`, [512, H]],
      [`${p}self_attn.v_proj.weight`, [512, H]],
      [`${p}self_attn.o_proj.weight`, [H, H]],
      [`${p}mlp.gate_proj.weight`, [FF, H]],
      [`${p}mlp.up_proj.weight`, [FF, H]],
      [`${p}mlp.down_proj.weight`, [H, FF]],
    );
  }
  let seed = 12345;
  const chunk = (n: number) => {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      v[i] = (seed / 0x100000000 - 0.5) * 0.1;
    }
    return new Uint8Array(v.buffer);
  };
  await writeSafetensors(
    join(dir, "model.safetensors"),
    shapes.map(([name, shape]) => ({
      name,
      dtype: "F32" as const,
      shape,
      data: async function* () {
        let left = shape.reduce((a, b) => a * b, 1);
        while (left > 0) {
          const n = Math.min(left, 1 << 20);
          yield chunk(n);
          left -= n;
        }
      },
    })),
  );
  return statSync(join(dir, "model.safetensors")).size;
}

function filesOf(dir: string): SourceFiles {
  const names = ["config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json"];
  return SourceFiles.of(Object.fromEntries(names.map((n) => [n, join(dir, n)])));
}

/** Runs one job in a fresh process; resolves with its result and peak RSS (MB). */
function inChild(job: Record<string, unknown>): Promise<{ ms: number; bytes: number; rssMB: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ["--child", JSON.stringify(job)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.on("message", (m) => resolve(m as { ms: number; bytes: number; rssMB: number }));
    child.on("exit", (code) => code !== 0 && reject(new Error(`bench child exited ${code}`)));
  });
}

async function childJob(job: { kind: string; dir: string; out: string; input?: string }): Promise<void> {
  const t0 = performance.now();
  let bytes = 0;
  if (job.kind === "convert") {
    bytes = (await new BlobStore(job.out).write(convertedBytes(await planModel(filesOf(job.dir))))).size;
  } else if (job.kind === "copy") {
    bytes = (await new BlobStore(job.out).write(createReadStream(join(job.dir, "model.safetensors"), { highWaterMark: 8 << 20 }))).size;
  } else {
    quantizeModel({ input: job.input!, output: job.out, ftype: "Q4_K_M", nthread: 0 });
    bytes = statSync(job.out).size;
  }
  const ms = performance.now() - t0;
  process.send!({ ms, bytes, rssMB: process.resourceUsage().maxRSS / 1024 });
}

export async function run(): Promise<Record<string, number>> {
  const tmp = tempDir("herd-bench-convert-");
  try {
    const small = join(tmp.dir, "small");
    const big = join(tmp.dir, "big");
    const smallSize = await writeCheckpoint(small, 1);
    const bigSize = await writeCheckpoint(big, 4);
    const mb = (n: number) => n / 1e6;

    const copy = await inChild({ kind: "copy", dir: big, out: join(tmp.dir, "copy-store") });
    const conv = await inChild({ kind: "convert", dir: big, out: join(tmp.dir, "conv-store") });
    const convSmall = await inChild({ kind: "convert", dir: small, out: join(tmp.dir, "conv-small") });

    const blobs = (root: string) => new BlobStore(root).dir;
    const { readdirSync } = await import("node:fs");
    const f16 = join(blobs(join(tmp.dir, "conv-store")), readdirSync(blobs(join(tmp.dir, "conv-store")))[0]!);
    const f16Small = join(blobs(join(tmp.dir, "conv-small")), readdirSync(blobs(join(tmp.dir, "conv-small")))[0]!);
    rmSync(join(tmp.dir, "copy-store"), { recursive: true });
    const quant = await inChild({ kind: "quantize", input: f16, out: join(tmp.dir, "q4.gguf") });
    const quantSmall = await inChild({ kind: "quantize", input: f16Small, out: join(tmp.dir, "q4-small.gguf") });

    return {
      checkpoint_MB: mb(bigSize),
      "copy+hash MB/s (anchor)": mb(bigSize) / (copy.ms / 1000),
      "convert F32→F16 MB/s (source bytes)": mb(bigSize) / (conv.ms / 1000),
      "convert / copy": copy.ms / conv.ms,
      copy_peak_rss_MB: copy.rssMB,
      [`convert_peak_rss_MB (${Math.round(mb(bigSize))} MB checkpoint)`]: conv.rssMB,
      [`convert_peak_rss_MB (${Math.round(mb(smallSize))} MB checkpoint)`]: convSmall.rssMB,
      quantize_F16_to_Q4_K_M_s: quant.ms / 1000,
      quantize_MB_per_s: mb(statSync(f16).size) / (quant.ms / 1000),
      [`quantize_peak_rss_MB (${Math.round(mb(statSync(f16).size))} MB F16)`]: quant.rssMB,
      [`quantize_peak_rss_MB (${Math.round(mb(statSync(f16Small).size))} MB F16)`]: quantSmall.rssMB,
    };
  } finally {
    tmp.cleanup();
  }
}

if (process.argv[2] === "--child") await childJob(JSON.parse(process.argv[3]!));
else if (fileURLToPath(import.meta.url) === process.argv[1]) console.log(await run());
