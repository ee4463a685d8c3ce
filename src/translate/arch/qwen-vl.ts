// Qwen2.5-VL and Qwen3-VL as Ollama publishes them: one file with the vision tower and merger inside.
// Facts: ollama/ollama llama/compat/llama-ollama-compat.cpp (handle_qwen25vl[_clip], handle_qwen3vl[_clip],
// register_qwen3vl_patch_embed_split).

import { tensorByteSize } from "../../gguf/index.js";
import { f16ToF32, GGML_F16, GGML_F32, wholeTensorOp } from "../ops.js";
import type { Plan } from "../plan.js";
import { archIs, CLIP_MEAN, CLIP_STD, copyKeys, F32_ARRAY, HALF3, type Handler, markProjector } from "./handler.js";

/** A 3-item M-RoPE section list as the 4-item array llama.cpp reads. */
function padSections(v: unknown): number[] | undefined {
  if (!Array.isArray(v) || v.length < 3) return undefined;
  return [Number(v[0]), Number(v[1]), Number(v[2]), 0];
}

export const qwen25vl: Handler = {
  name: "qwen25vl",
  detect: (p) => archIs(p, "qwen25vl"),
  text(p: Plan) {
    p.set("general.architecture", "string", "qwen2vl");
    p.copyPrefix("qwen25vl.", "qwen2vl.");
    const sections = padSections(p.value("qwen2vl.rope.mrope_section"));
    if (sections) p.set("qwen2vl.rope.dimension_sections", "array<int32>", sections);
    for (const k of [...p.kv.keys()]) if (k.startsWith("qwen25vl.")) p.remove(k);
    p.hide("v.", "mm.");
  },
  projector(p: Plan) {
    p.require({
      keys: ["qwen25vl.vision.block_count", "qwen25vl.vision.embedding_length", "qwen25vl.vision.attention.head_count", "qwen25vl.embedding_length"],
      tensors: ["v.patch_embd_0.weight", "v.merger.mlp.0.weight", "v.merger.mlp.2.weight"],
    });
    copyKeys(p, [
      ["qwen25vl.vision.attention.head_count", "clip.vision.attention.head_count"],
      ["qwen25vl.vision.attention.layer_norm_epsilon", "clip.vision.attention.layer_norm_epsilon"],
      ["qwen25vl.vision.block_count", "clip.vision.block_count"],
      ["qwen25vl.vision.embedding_length", "clip.vision.embedding_length"],
      ["qwen25vl.vision.num_channels", "clip.vision.num_channels"],
      ["qwen25vl.vision.patch_size", "clip.vision.patch_size"],
      ["qwen25vl.vision.spatial_merge_size", "clip.vision.spatial_merge_size"],
      ["qwen25vl.vision.window_size", "clip.vision.window_size"],
      ["qwen25vl.embedding_length", "clip.vision.projection_dim"],
    ]);
    const up = p.tensor("v.blk.0.ffn_up.weight");
    if (up) p.inject("clip.vision.feed_forward_length", "uint32", up.dims[1]!);
    const full = p.value("qwen25vl.vision.fullatt_block_indexes");
    if (Array.isArray(full) && full.length >= 1) p.set("clip.vision.n_wa_pattern", "uint32", Number(full[0]) + 1);
    p.inject("clip.vision.n_wa_pattern", "uint32", 8);
    p.inject("clip.vision.image_size", "uint32", 560);
    p.inject("clip.vision.image_mean", F32_ARRAY, CLIP_MEAN);
    p.inject("clip.vision.image_std", F32_ARRAY, CLIP_STD);
    markProjector(p, "qwen2.5vl_merger", "silu");
    p.rename("v.merger.ln_q.weight", "v.post_ln.weight");
    p.rename("v.merger.mlp.0.weight", "mm.0.weight");
    p.rename("v.merger.mlp.0.bias", "mm.0.bias");
    p.rename("v.merger.mlp.2.weight", "mm.2.weight");
    p.rename("v.merger.mlp.2.bias", "mm.2.bias");
    p.rename("v.patch_embd_0.weight", "v.patch_embd.weight");
    p.rename("v.patch_embd_1.weight", "v.patch_embd.weight.1");
    p.promoteF32("v.patch_embd.weight");
    p.promoteF32("v.patch_embd.weight.1");
  },
};

function qwen3vlArch(p: Plan): string | undefined {
  return archIs(p, "qwen3vl", "qwen3vlmoe") ? p.arch : undefined;
}

/**
 * The published Conv3D patch embedding, ggml dims [W, H, T=2, C_out·C_in] F16, as llama.cpp's two Conv2D
 * slices [W, H, C_in, C_out] F32 (one per temporal frame).
 */
function splitPatchEmbed(p: Plan, cin: number): void {
  const src = p.sourceOf("v.patch_embed.weight");
  const [w, h, frames, packed] = src.dims as [number, number, number, number];
  if (src.type !== GGML_F16 || frames !== 2 || src.dims.length !== 4 || packed % cin !== 0) {
    throw new Error(`v.patch_embed.weight: unsupported layout ${src.dims.join("x")} (type ${src.type})`);
  }
  const cout = packed / cin;
  const hw = w * h;
  const dims = [w, h, cin, cout];
  const outSize = tensorByteSize(GGML_F32, dims)!;
  const slice = (s: number) => (bytes: Buffer) => {
    const all = f16ToF32(bytes);
    const out = Buffer.allocUnsafe(outSize);
    for (let co = 0; co < cout; co++) {
      for (let ci = 0; ci < cin; ci++) {
        const from = hw * (s + frames * (co * cin + ci)) * 4;
        all.copy(out, hw * (ci + cin * co) * 4, from, from + hw * 4);
      }
    }
    return out;
  };
  const t = p.tensor("v.patch_embed.weight")!;
  t.name = "v.patch_embd.weight";
  t.dims = dims;
  t.type = GGML_F32;
  t.data = { kind: "op", op: wholeTensorOp(src.at, src.size, outSize, "patch_embed slice 0", slice(0)) };
  const i = p.tensors.indexOf(t);
  p.tensors.splice(i + 1, 0, {
    name: "v.patch_embd.weight.1",
    dims,
    type: GGML_F32,
    data: { kind: "op", op: wholeTensorOp(src.at, src.size, outSize, "patch_embed slice 1", slice(1)) },
  });
}

export const qwen3vl: Handler = {
  name: "qwen3vl",
  detect: (p) => {
    const arch = qwen3vlArch(p);
    return arch !== undefined && !p.has(`${arch}.rope.dimension_sections`);
  },
  text(p: Plan) {
    const arch = p.arch;
    // The current Qwen3-VL family's M-RoPE sections (head_dim 128).
    p.set(`${arch}.rope.dimension_sections`, "array<int32>", [24, 20, 20, 0]);
    const ds = p.value(`${arch}.vision.deepstack_visual_indexes`);
    p.inject(`${arch}.n_deepstack_layers`, "uint32", Array.isArray(ds) ? ds.length : 0);
    p.hide("v.", "mm.");
  },
  projector(p: Plan) {
    const arch = p.arch;
    const k = (s: string) => `${arch}${s}`;
    p.require({
      keys: [k(".vision.block_count"), k(".vision.embedding_length"), k(".vision.attention.head_count"), k(".embedding_length")],
      tensors: ["v.patch_embed.weight", "v.merger.linear_fc1.weight", "v.merger.linear_fc2.weight"],
    });
    copyKeys(p, [
      [k(".vision.attention.head_count"), "clip.vision.attention.head_count"],
      [k(".vision.attention.layer_norm_epsilon"), "clip.vision.attention.layer_norm_epsilon"],
      [k(".vision.block_count"), "clip.vision.block_count"],
      [k(".vision.embedding_length"), "clip.vision.embedding_length"],
      [k(".vision.num_channels"), "clip.vision.num_channels"],
      [k(".vision.patch_size"), "clip.vision.patch_size"],
      [k(".vision.spatial_merge_size"), "clip.vision.spatial_merge_size"],
      [k(".vision.temporal_patch_size"), "clip.vision.temporal_patch_size"],
      [k(".vision.rope.freq_base"), "clip.vision.rope.freq_base"],
      [k(".embedding_length"), "clip.vision.projection_dim"],
    ]);
    p.inject("clip.vision.num_channels", "uint32", 3);
    p.inject("clip.vision.temporal_patch_size", "uint32", 2);
    p.inject("clip.vision.rope.freq_base", "float32", 10000);
    const fc1 = p.tensor("v.blk.0.mlp.linear_fc1.weight");
    if (fc1) p.inject("clip.vision.feed_forward_length", "uint32", fc1.dims[1]!);
    const pos = p.tensor("v.pos_embed.weight");
    const patch = p.num(k(".vision.patch_size"));
    if (pos && patch !== undefined) p.inject("clip.vision.image_size", "uint32", Math.floor(Math.sqrt(pos.dims[1]!)) * patch);
    p.copy(k(".vision.image_mean"), "clip.vision.image_mean");
    p.copy(k(".vision.image_std"), "clip.vision.image_std");
    p.copy(k(".vision.shortest_edge"), "clip.vision.image_min_pixels");
    p.copy(k(".vision.longest_edge"), "clip.vision.image_max_pixels");
    p.inject("clip.vision.image_min_pixels", "uint32", 65536);
    p.inject("clip.vision.image_max_pixels", "uint32", 16777216);
    p.inject("clip.vision.image_mean", F32_ARRAY, HALF3);
    p.inject("clip.vision.image_std", F32_ARRAY, HALF3);

    const blocks = p.num("clip.vision.block_count")!;
    const dsRaw = p.value(k(".vision.deepstack_visual_indexes"));
    const ds = Array.isArray(dsRaw) ? dsRaw.map(Number) : [];
    if (!p.has("clip.vision.is_deepstack_layers") && blocks > 0) {
      const mask = new Array<boolean>(blocks).fill(false);
      for (const i of ds) if (i >= 0 && i < blocks) mask[i] = true;
      p.set("clip.vision.is_deepstack_layers", "array<bool>", mask);
    }
    markProjector(p, "qwen3vl_merger", "gelu");

    // Q, K and V may mix F16 and Q8_0, so they are merged in F32.
    for (let b = 0; b < blocks; b++) {
      const n = (s: string) => `v.blk.${b}.${s}`;
      const q = p.tensor(n("attn_q.weight"));
      if (!q) continue;
      const parts = ["attn_q", "attn_k", "attn_v"];
      const ws = parts.map((x) => n(`${x}.weight`));
      p.require({ tensors: ws });
      const rows = ws.reduce((s, w) => s + p.tensor(w)!.dims[1]!, 0);
      p.concatF32(n("attn_qkv.weight"), ws, [q.dims[0]!, rows]);
      const bs = parts.map((x) => n(`${x}.bias`));
      if (bs.every((x) => p.tensor(x))) {
        const len = bs.reduce((s, x) => s + p.tensor(x)!.dims[0]!, 0);
        p.concatF32(n("attn_qkv.bias"), bs, [len]);
      }
    }
    splitPatchEmbed(p, p.num("clip.vision.num_channels") ?? 3);

    p.rename("v.merger.norm.weight", "v.post_ln.weight");
    p.rename("v.merger.norm.bias", "v.post_ln.bias");
    p.rename("v.merger.linear_fc1.weight", "mm.0.weight");
    p.rename("v.merger.linear_fc1.bias", "mm.0.bias");
    p.rename("v.merger.linear_fc2.weight", "mm.2.weight");
    p.rename("v.merger.linear_fc2.bias", "mm.2.bias");
    p.rename("v.patch_embed.bias", "v.patch_embd.bias");
    p.rename("v.pos_embed.weight", "v.position_embd.weight");
    // Deepstack adapters are named by the vision layer they follow.
    ds.forEach((layer, i) => {
      for (const [from, to] of [["norm", "norm"], ["linear_fc1", "fc1"], ["linear_fc2", "fc2"]]) {
        for (const s of ["weight", "bias"]) p.rename(`v.deepstack_merger.${i}.${from}.${s}`, `v.deepstack.${layer}.${to}.${s}`);
      }
    });
    p.renameContaining(".norm1", ".ln1");
    p.renameContaining(".norm2", ".ln2");
    p.renameContaining(".mlp.linear_fc1", ".ffn_up");
    p.renameContaining(".mlp.linear_fc2", ".ffn_down");
    p.promoteF32("v.position_embd.weight");
  },
};
