// A conversion plan as GGUF bytes, produced in file order: each tensor is read from its checkpoint by
// range, a bounded chunk at a time (a head block for the rotary permutation), converted and yielded.
// Memory stays at a few chunks whatever the model size; the consumer (the blob store) hashes and writes.

import { open } from "node:fs/promises";
import { ggufBytes, type GgufWriteSpec } from "../gguf/index.js";
import { CanceledError, ConversionError } from "../util/errors.js";
import { convertElements, fromFloat32, OUT_BYTES, toFloat32 } from "./floats.js";
import type { ConversionPlan, PlannedTensor } from "./plan.js";
import { FLOAT_DTYPES } from "./safetensors.js";

/** Bytes read per step: large enough for sequential disk throughput, small against any RAM. */
const CHUNK = 8 << 20;

export interface StreamOptions {
  signal?: AbortSignal;
  /** Source bytes consumed so far, of `total`. */
  onProgress?: (done: number, total: number) => void;
}

function elements(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

async function* tensorBytes(t: PlannedTensor, tick: (n: number) => void, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  if (t.values) {
    yield fromFloat32(t.values, t.type);
    return;
  }
  const src = t.src!;
  const esize = FLOAT_DTYPES[src.dtype];
  const fh = await open(src.path, "r");
  try {
    const read = async (offset: number, length: number): Promise<Buffer> => {
      if (signal?.aborted) throw new CanceledError();
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(buf, got, length - got, src.offset + offset + got);
        if (!bytesRead) throw new Error(`${src.path}: unexpected end of file in tensor ${src.name}`);
        got += bytesRead;
      }
      tick(length);
      return buf;
    };
    const transforms = t.transforms ?? [];
    const permute = transforms.find((x) => x.kind === "permute");
    if (transforms.some((x) => x.kind !== "permute")) {
      // addOne (1-D norms) and transpose (LoRA factors) touch small tensors: whole in memory.
      let v = toFloat32(await read(0, src.size), src.dtype);
      for (const x of transforms) {
        if (x.kind === "addOne") v = v.map((e) => e + 1);
        if (x.kind === "transpose") {
          const [rows, cols] = [src.shape[0]!, elements(src.shape.slice(1))];
          const out = new Float32Array(v.length);
          for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = v[r * cols + c]!;
          v = out;
        }
      }
      yield fromFloat32(v, t.type);
      return;
    }
    if (permute && permute.kind === "permute") {
      // Rows (outermost axis) of each head go from [2][half] to [half][2] order.
      const rows = src.shape[0]!;
      const rowBytes = (src.size / rows) | 0;
      const headRows = rows / permute.heads;
      const half = headRows / 2;
      for (let h = 0; h < permute.heads; h++) {
        const block = await read(h * headRows * rowBytes, headRows * rowBytes);
        const out = Buffer.allocUnsafe(block.length);
        for (let j = 0; j < half; j++) {
          for (let k = 0; k < 2; k++) {
            block.copy(out, (j * 2 + k) * rowBytes, (k * half + j) * rowBytes, (k * half + j + 1) * rowBytes);
          }
        }
        yield convertElements(out, src.dtype, t.type);
      }
      return;
    }
    const step = Math.max(esize, CHUNK - (CHUNK % esize));
    for (let off = 0; off < src.size; off += step) {
      yield convertElements(await read(off, Math.min(step, src.size - off)), src.dtype, t.type);
    }
  } finally {
    await fh.close();
  }
}

export function planSpec(plan: ConversionPlan, opts: StreamOptions = {}): { spec: GgufWriteSpec; total: number } {
  const total = plan.tensors.reduce((a, t) => a + (t.src?.size ?? 0), 0);
  let done = 0;
  const tick = (n: number) => {
    done += n;
    opts.onProgress?.(done, total);
  };
  const spec: GgufWriteSpec = {
    metadata: plan.metadata,
    tensors: plan.tensors.map((t) => {
      const permuteOk = t.transforms?.find((x) => x.kind === "permute");
      if (permuteOk && permuteOk.kind === "permute" && (t.shape[0]! % (2 * permuteOk.heads) !== 0)) {
        throw new ConversionError(`tensor ${t.name}: ${t.shape[0]} rows do not split into ${permuteOk.heads} rotary heads`);
      }
      const transposed = t.transforms?.some((x) => x.kind === "transpose");
      const shape = transposed ? [t.shape[1]!, t.shape[0]!] : t.shape;
      return {
        name: t.name,
        dims: [...shape].reverse(),
        type: t.type,
        size: elements(t.shape) * OUT_BYTES[t.type],
        source: () => tensorBytes(t, tick, opts.signal),
      };
    }),
  };
  return { spec, total };
}

/** The GGUF file of `plan`, as bytes in file order. */
export function convertedBytes(plan: ConversionPlan, opts: StreamOptions = {}): AsyncIterable<Uint8Array> {
  return ggufBytes(planSpec(plan, opts).spec);
}
