// Images in the child: llama.cpp's mtmd turns a prompt holding IMAGE_MARKERs plus the image bytes into
// chunks (text tokens, image embeddings). The generator sees the prompt as one position list: real token
// ids for text, and for each position an image fills a pseudo id (negative, derived from the image's
// SHA-256 and the position within it). Comparing position lists therefore also compares images, so the
// KV prefix cache reuses a turn's images when the next turn repeats them, exactly as for text.
//
// Evaluation of a prompt with images: everything up to the end of its last image is decoded here (text
// through the generator's batch, images through mtmd's encoder and decode helper, which also switches
// gemma3-style models to non-causal attention for the image); the text after it joins the generator's
// normal batched prompt path, whose last token gives the first logits.

import { createHash } from "node:crypto";
import koffi from "koffi";
import { BadRequestError, ModelLoadError } from "../../util/errors.js";
import type { LlamaApi, Ptr } from "../native/index.js";
import { loadMtmd, MTMD_INPUT_CHUNK_TYPE_TEXT, type MtmdApi } from "../native/mtmd.js";
import type { Batch } from "./batch.js";
import type { LoadedModel } from "./model.js";
import { IMAGE_MARKER } from "../types.js";

interface ImageSpan {
  /** First position of the image in the prompt. */
  start: number;
  /** Positions it takes (its token count, or fewer for M-RoPE models). */
  nPos: number;
  chunk: Ptr;
}

/** A tokenized prompt with images; `free()` releases mtmd's chunks once evaluated. */
export interface MediaPrompt {
  positions: number[];
  images: ImageSpan[];
  /** Where the text after the last image starts. */
  end: number;
  free(): void;
}

export class Vision {
  private constructor(
    private readonly api: LlamaApi,
    private readonly mtmd: MtmdApi,
    private readonly ctx: Ptr,
  ) {}

  static load(api: LlamaApi, model: LoadedModel, projectorPath: string, opts: { gpu: boolean; threads: number }): Vision {
    const mtmd = loadMtmd();
    const params = mtmd.mtmd_context_params_default() as Record<string, unknown>;
    params.use_gpu = opts.gpu;
    params.n_threads = opts.threads;
    params.print_timings = false;
    params.warmup = false;
    const ctx = mtmd.mtmd_init_from_file(projectorPath, model.ptr, params);
    if (!ctx) throw new ModelLoadError(`unable to load the vision projector ${projectorPath} for this model`);
    if (!mtmd.mtmd_support_vision(ctx)) {
      mtmd.mtmd_free(ctx);
      throw new ModelLoadError("the projector has no vision encoder");
    }
    return new Vision(api, mtmd, ctx);
  }

  /** Splits `prompt` at its markers and preprocesses each image (400 when one cannot be decoded). */
  prepare(prompt: string, images: readonly Uint8Array[]): MediaPrompt {
    const markers = countMarkers(prompt);
    if (markers !== images.length) throw new BadRequestError(`the prompt has ${markers} image markers for ${images.length} images`);
    const m = this.mtmd;
    const opt = m.mtmd_helper_init_opt_default();
    const bitmaps: Ptr[] = [];
    const chunks = m.mtmd_input_chunks_init();
    try {
      images.forEach((bytes, i) => {
        const w = m.mtmd_helper_bitmap_init_from_buf(this.ctx, bytes, bytes.length, false, opt) as { bitmap: Ptr };
        if (!w.bitmap) throw new BadRequestError(`invalid image input: image ${i + 1} could not be decoded`);
        bitmaps.push(w.bitmap);
        // Projectors that slice an image (llama4's tiles, MiniCPM-V's slices) give it several image
        // chunks: the id ties each chunk to its image.
        m.mtmd_bitmap_set_id(w.bitmap, String(i));
      });
      const text = { text: prompt, text_len: Buffer.byteLength(prompt), add_special: true, parse_special: true };
      const rc = m.mtmd_tokenize(this.ctx, chunks, text, bitmaps, bitmaps.length);
      if (rc !== 0) throw new BadRequestError("invalid image input: an image could not be preprocessed");
    } catch (err) {
      m.mtmd_input_chunks_free(chunks);
      throw err;
    } finally {
      for (const b of bitmaps) m.mtmd_bitmap_free(b);
    }
    const positions: number[] = [];
    const spans: ImageSpan[] = [];
    const seeds = images.map((bytes) => createHash("sha256").update(bytes).digest().readUInt32BE(0) & 0x3fffffff);
    /** Positions already given to each image's earlier chunks, so its slices get distinct ids. */
    const used = images.map(() => 0);
    const n = Number(m.mtmd_input_chunks_size(chunks));
    for (let i = 0; i < n; i++) {
      const chunk = m.mtmd_input_chunks_get(chunks, i);
      if (m.mtmd_input_chunk_get_type(chunk) === MTMD_INPUT_CHUNK_TYPE_TEXT) {
        const count = [0];
        const ptr = m.mtmd_input_chunk_get_tokens_text(chunk, count);
        const len = Number(count[0]);
        if (len > 0) positions.push(...new Int32Array(koffi.view(ptr, len * 4)));
        continue;
      }
      const nPos = m.mtmd_input_chunk_get_n_pos(chunk);
      const image = Number(m.mtmd_input_chunk_get_id(chunk));
      const seed = seeds[image]! + used[image]!;
      used[image]! += nPos;
      spans.push({ start: positions.length, nPos, chunk });
      for (let p = 0; p < nPos; p++) positions.push(-1 - ((seed + p) % 0x3fffffff));
    }
    const last = spans.at(-1);
    return {
      positions,
      images: spans,
      end: last ? last.start + last.nPos : 0,
      free: () => m.mtmd_input_chunks_free(chunks),
    };
  }

  /** A reuse point never lands inside an image: an image is decoded whole or not at all. */
  static backOff(mp: MediaPrompt, reuse: number): number {
    for (const s of mp.images) if (reuse > s.start && reuse < s.start + s.nPos) return s.start;
    return reuse;
  }

  /**
   * Decodes positions [from, mp.end) of sequence `seq`: text in `batch`-sized steps, images through mtmd.
   * Throws on a failed decode (the caller drops the sequence).
   */
  evaluate(lctx: Ptr, seq: number, from: number, mp: MediaPrompt, batch: Batch, nBatch: number): void {
    let pos = from;
    const decodeText = (until: number) => {
      while (pos < until) {
        batch.clear();
        const stop = Math.min(until, pos + batch.capacity);
        for (; pos < stop; pos++) batch.add(mp.positions[pos]!, pos, seq, false);
        const rc = this.api.llama_decode(lctx, batch.value);
        if (rc !== 0) throw new BadRequestError(rc === 1 ? "no room left in the context for this prompt's images" : `llama_decode failed (${rc})`);
      }
    };
    for (const s of mp.images) {
      if (s.start + s.nPos <= pos) continue;
      decodeText(s.start);
      const out = [0];
      const rc = this.mtmd.mtmd_helper_eval_chunk_single(this.ctx, lctx, s.chunk, s.start, seq, nBatch, false, out);
      if (rc !== 0) throw new BadRequestError(`the image at position ${s.start} could not be evaluated (${rc})`);
      pos = s.start + s.nPos;
    }
    batch.clear();
  }

  free(): void {
    this.mtmd.mtmd_free(this.ctx);
  }
}

function countMarkers(prompt: string): number {
  return prompt.split(IMAGE_MARKER).length - 1;
}
