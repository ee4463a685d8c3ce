// Safetensors checkpoints: each file is an 8-byte little-endian header length, a JSON header
// `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`, then the raw tensor bytes (offsets
// relative to the end of the header). Only headers are read here; tensor bytes are read later by range,
// so a 16 GB checkpoint never sits in memory. Sharded checkpoints list their shards in
// `model.safetensors.index.json` (`weight_map: {tensor: shard}`); every shard it names must be present.

import { open } from "node:fs/promises";
import { ConversionError } from "../util/errors.js";
import type { SourceFiles } from "./source.js";

/** dtypes whose values convert to F32/F16/BF16. Anything else (I8, U8, F8_E4M3, I64 …) is refused. */
export const FLOAT_DTYPES = { F32: 4, F16: 2, BF16: 2 } as const;
export type FloatDtype = keyof typeof FLOAT_DTYPES;

export interface SafeTensor {
  /** Name in the checkpoint (HF naming). */
  name: string;
  dtype: FloatDtype;
  /** Row-major, outermost first (PyTorch order). */
  shape: number[];
  /** Absolute path of the file holding it. */
  path: string;
  /** Absolute byte offset of the first element in that file. */
  offset: number;
  size: number;
}

/** A header larger than this is not a real checkpoint (the format itself caps it at 100 MB). */
const MAX_HEADER = 100 * 1024 * 1024;

/** Reads one file's header and checks every tensor lies inside the file. */
export async function readSafetensorsHeader(path: string, label = path): Promise<SafeTensor[]> {
  const fh = await open(path, "r");
  try {
    const { size: fileSize } = await fh.stat();
    const head = Buffer.alloc(8);
    if (fileSize < 8 || (await fh.read(head, 0, 8, 0)).bytesRead < 8) throw new ConversionError(`${label}: truncated safetensors file (no header)`);
    const n = Number(head.readBigUInt64LE(0));
    if (n > MAX_HEADER || 8 + n > fileSize) throw new ConversionError(`${label}: truncated safetensors file (header of ${n} bytes in a ${fileSize}-byte file)`);
    const json = Buffer.alloc(n);
    await fh.read(json, 0, n, 8);
    let header: Record<string, { dtype?: string; shape?: number[]; data_offsets?: [number, number] }>;
    try {
      header = JSON.parse(json.toString("utf8"));
    } catch {
      throw new ConversionError(`${label}: invalid safetensors header`);
    }
    const base = 8 + n;
    const out: SafeTensor[] = [];
    for (const [name, info] of Object.entries(header)) {
      if (name === "__metadata__") continue;
      const { dtype, shape, data_offsets: offs } = info ?? {};
      if (typeof dtype !== "string" || !Array.isArray(shape) || !Array.isArray(offs) || offs.length !== 2) {
        throw new ConversionError(`${label}: invalid safetensors entry for ${name}`);
      }
      // bitsandbytes and other packed formats store scalars or integer blocks: not a float checkpoint.
      if (shape.length === 0) throw new ConversionError("unsupported safetensors model");
      if (!(dtype in FLOAT_DTYPES)) throw new ConversionError(`${label}: tensor ${name} has dtype ${dtype}, which cannot be converted (F32, F16 and BF16 can)`);
      const elems = shape.reduce((a, b) => a * b, 1);
      const size = offs[1] - offs[0];
      if (size !== elems * FLOAT_DTYPES[dtype as FloatDtype]) throw new ConversionError(`${label}: tensor ${name} has ${size} bytes for shape [${shape}] ${dtype}`);
      if (base + offs[1] > fileSize) throw new ConversionError(`${label}: truncated safetensors file (tensor ${name} ends at byte ${base + offs[1]} of ${fileSize})`);
      out.push({ name, dtype: dtype as FloatDtype, shape, path, offset: base + offs[0], size });
    }
    return out;
  } finally {
    await fh.close();
  }
}

/** Every tensor of a checkpoint (one file, or the shards an index names), sorted by name as Ollama does. */
export async function readCheckpoint(files: SourceFiles): Promise<SafeTensor[]> {
  const shards = new Set<string>();
  if (files.get("model.safetensors.index.json")) {
    const parsed = JSON.parse(await files.readText("model.safetensors.index.json")) as { weight_map?: Record<string, string> };
    for (const shard of Object.values(parsed.weight_map ?? {})) {
      if (!files.get(shard)) throw new ConversionError(`shard ${shard} listed in model.safetensors.index.json is missing`);
      shards.add(shard);
    }
  }
  else for (const rel of files.names()) if (rel.endsWith(".safetensors") && !rel.includes("/")) shards.add(rel);
  if (!shards.size) throw new ConversionError("no safetensors files found");
  const all: SafeTensor[] = [];
  const seen = new Set<string>();
  for (const shard of [...shards].sort()) {
    for (const t of await readSafetensorsHeader(files.get(shard)!, shard)) {
      if (seen.has(t.name)) throw new ConversionError(`duplicate tensor name '${t.name}' was found for this model`);
      seen.add(t.name);
      all.push(t);
    }
  }
  return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Writes a safetensors file (tests and benchmarks build synthetic checkpoints with it). */
export async function writeSafetensors(
  path: string,
  tensors: { name: string; dtype: FloatDtype; shape: number[]; data: Uint8Array | (() => AsyncIterable<Uint8Array>) }[],
): Promise<void> {
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let off = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1) * FLOAT_DTYPES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + size] };
    off += size;
  }
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const fh = await open(path, "w");
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    await fh.write(len);
    await fh.write(json);
    for (const t of tensors) {
      if (t.data instanceof Uint8Array) await fh.write(t.data);
      else for await (const chunk of t.data()) await fh.write(chunk);
    }
  } finally {
    await fh.close();
  }
}
