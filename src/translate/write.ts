// Writes a plan to a file. ggml requires the tensor table to describe the data region exactly: tensor i
// at the sum of the padded sizes of tensors 0..i-1 (gguf_init_from_reader checks every offset). So:
//
// - "clone" (text models, which keep most of their bytes in their order): the new header is padded with a
//   filler key so the data region starts where the source's does; the leading run of tensors that sit
//   exactly where the new table wants them is copied as one range at the same offsets, and everything after
//   the first difference (a hidden or changed tensor) goes to its new place.
// - "pack" (projectors, which keep a small part of a monolithic file; or a header that outgrew the old
//   one): header, then each tensor.
// Unchanged tensors are copied by the kernel (copy_file_range: extents shared where the filesystem can,
// nothing through this process), each byte once; tensors an operation changes are streamed.
//
// Both are deterministic: the same input gives the same bytes.

import { type FileHandle, open } from "node:fs/promises";
import { encodeGgufHeader, type GgufHeaderTensor } from "../gguf/index.js";
import { copyRange } from "../runner/native/copy-range.js";
import { readRange } from "./ops.js";
import type { Plan, PlanTensor } from "./plan.js";

export type WriteMode = "clone" | "pack";

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function sizeOf(t: PlanTensor): number {
  return t.data.kind === "copy" ? t.data.size : t.data.op.size;
}

/** Clone when the kept source bytes are at least half the file: cheaper than streaming them. */
export function chooseMode(plan: Plan): WriteMode {
  let kept = 0;
  for (const t of plan.tensors) if (t.data.kind === "copy") kept += t.data.size;
  return kept * 2 >= plan.gguf.fileSize - plan.gguf.dataOffset ? "clone" : "pack";
}

/** A key llama.cpp ignores, sized so the header ends where the source's data region starts. */
export const FILLER_KEY = "herd.translate.padding";

function header(plan: Plan, offsets: number[], filler?: number): Buffer {
  const metadata = Object.fromEntries(plan.kv);
  if (filler !== undefined) metadata[FILLER_KEY] = { type: "array<uint8>", value: new Array<number>(filler).fill(0) };
  const tensors: GgufHeaderTensor[] = plan.tensors.map((t, i) => ({ name: t.name, dims: t.dims, type: t.type, offset: offsets[i] ?? 0 }));
  return encodeGgufHeader(metadata, tensors, { version: plan.gguf.version });
}

/** Bytes a filler key with an empty value adds: key length + key + value type + item type + count. */
const FILLER_OVERHEAD = 8 + FILLER_KEY.length + 4 + 4 + 8;

async function writeAll(out: FileHandle, data: Uint8Array, at: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await out.write(data, done, data.length - done, at + done);
    done += bytesWritten;
  }
}

/** Copies `size` bytes at `from` in `src` to `to` in `out`: in the kernel where it can, else through here. */
async function copyBytes(src: FileHandle, out: FileHandle, from: number, to: number, size: number): Promise<void> {
  const inKernel = await copyRange(src.fd, from, out.fd, to, size);
  let pos = to + inKernel;
  for await (const c of readRange(src, from + inKernel, size - inKernel)) {
    await writeAll(out, c, pos);
    pos += c.length;
  }
  if (pos - to !== size) throw new Error(`copied ${pos - to} bytes of ${size}: the source is shorter than its header says`);
}

async function writeTensor(src: FileHandle, out: FileHandle, t: PlanTensor, at: number): Promise<void> {
  if (t.data.kind === "copy") return copyBytes(src, out, t.data.at, at, t.data.size);
  const chunks = t.data.op.produce(src);
  let pos = at;
  for await (const c of chunks) {
    await writeAll(out, c, pos);
    pos += c.length;
  }
  const want = sizeOf(t);
  if (pos - at !== want) throw new Error(`tensor ${t.name}: wrote ${pos - at} bytes for ${want}`);
}

interface Layout {
  mode: WriteMode;
  /** The header, zero-padded to where the data region starts. */
  padded: Buffer;
  dataStart: number;
  offsets: number[];
  /** Leading tensors a clone leaves where they are. */
  inPlace: number;
  size: number;
}

/** Where everything goes: a pure function of the plan and mode, so a written file can be checked against it. */
function layout(plan: Plan, requested: WriteMode): Layout {
  let mode = requested;
  const align = plan.gguf.alignment;
  const n = plan.tensors.length;
  const offsets: number[] = [];
  let end = 0;
  for (const t of plan.tensors) {
    offsets.push(end);
    end = alignUp(end + sizeOf(t), align);
  }
  const last = n ? offsets[n - 1]! + sizeOf(plan.tensors[n - 1]!) : 0;

  let head = header(plan, offsets);
  let dataStart = alignUp(head.length, align);
  let inPlace = 0;
  if (mode === "clone") {
    const d = plan.gguf.dataOffset;
    if (head.length + FILLER_OVERHEAD <= d) {
      // Pad so the data region starts at the source's, then keep the leading tensors already in place.
      head = header(plan, offsets, d - head.length - FILLER_OVERHEAD);
      dataStart = d;
      while (inPlace < n) {
        const t = plan.tensors[inPlace]!;
        if (t.data.kind !== "copy" || t.data.at !== d + offsets[inPlace]!) break;
        inPlace++;
      }
    }
    if (inPlace === 0) mode = "pack";
  }
  const padded = Buffer.alloc(dataStart);
  head.copy(padded, 0);
  return { mode, padded, dataStart, offsets, inPlace, size: dataStart + last };
}

/**
 * Whether `path` looks like a complete write of `plan`: its exact size and header. Translations are not
 * fsynced (they are derived and re-creatable, and pulled blobs are not fsynced either); after a power
 * loss a file whose data never reached the disk is short (ext4/xfs do not expose unwritten extents
 * beyond the on-disk size) or, after a clone, still has its source's header: both fail this check and
 * are translated again rather than loaded.
 */
export async function matchesPlan(path: string, plan: Plan, mode: WriteMode = chooseMode(plan)): Promise<boolean> {
  const want = layout(plan, mode);
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch {
    return false;
  }
  try {
    if ((await fh.stat()).size !== want.size) return false;
    const got = Buffer.alloc(want.dataStart);
    const { bytesRead } = await fh.read(got, 0, got.length, 0);
    return bytesRead === got.length && got.equals(want.padded);
  } finally {
    await fh.close();
  }
}

/** Writes `plan` (read from `srcPath`) to `outPath`, which must not be in use; returns its size. */
export async function writePlan(srcPath: string, plan: Plan, outPath: string, requested: WriteMode = chooseMode(plan)): Promise<number> {
  const { mode, padded, dataStart, offsets, inPlace, size } = layout(plan, requested);
  const n = plan.tensors.length;
  const src = await open(srcPath, "r");
  try {
    const out = await open(outPath, "w", 0o644);
    try {
      await writeAll(out, padded, 0);
      // The tensors a clone layout keeps in place, in one range: every byte is copied once (the kernel shares
      // the extents where the filesystem can, the offsets being the source's), hidden tensors never are.
      if (mode === "clone" && inPlace > 0) {
        const last = plan.tensors[inPlace - 1]!;
        await copyBytes(src, out, dataStart, dataStart, offsets[inPlace - 1]! + sizeOf(last));
      }
      for (let i = inPlace; i < n; i++) {
        const at = dataStart + offsets[i]!;
        // The padding after the previous tensor: zeros, as any GGUF writer leaves them.
        if (i > 0) {
          const prevEnd = dataStart + offsets[i - 1]! + sizeOf(plan.tensors[i - 1]!);
          if (at > prevEnd) await writeAll(out, Buffer.alloc(at - prevEnd), prevEnd);
        }
        await writeTensor(src, out, plan.tensors[i]!, at);
      }
      await out.truncate(size);
      return size;
    } finally {
      await out.close();
    }
  } finally {
    await src.close();
  }
}
