// Text sides of the rest of Ollama's table (their projectors are not translated yet: docs/translation.md).
// Facts: ollama/ollama llama/compat/llama-ollama-compat.cpp (handle_gemma4, apply_qwen35_text_fixes,
// handle_deepseekocr, handle_glmocr, handle_nemotron_h_omni).

import { concatOp } from "../ops.js";
import type { Plan } from "../plan.js";
import { archIs, type Handler } from "./handler.js";
import { collapseToMax, nemotronHMoe, renameSsmDt } from "./text-only.js";

function padSections(p: Plan, from: string, to: string): void {
  const v = p.value(from);
  if (Array.isArray(v) && v.length === 3) p.set(to, "array<int32>", [Number(v[0]), Number(v[1]), Number(v[2]), 0]);
}

export const gemma4: Handler = {
  name: "gemma4",
  detect: (p) =>
    archIs(p, "gemma4") &&
    (p.hasPrefix("a.") || p.hasPrefix("v.") || p.hasPrefix("mm.") || p.hasPrefix("model.vision_tower.") || p.str("tokenizer.ggml.model") === "llama"),
  text(p: Plan) {
    // Gemma 4 is BPE; `llama` (SPM) would split its control tokens into pieces.
    if (p.str("tokenizer.ggml.model") === "llama") p.set("tokenizer.ggml.model", "string", "gemma4");
    p.hide("a.", "v.", "mm.", "model.vision_tower.");
    const blocks = p.num("gemma4.block_count") ?? 0;
    for (let b = 0; b < blocks; b++) {
      const n = (s: string) => `blk.${b}.${s}`;
      const sidecars = ["ffn_gate_exps.scale", "ffn_gate_exps.input_scale", "ffn_up_exps.scale", "ffn_up_exps.input_scale"].some((s) => p.tensor(n(s)));
      const gate = p.tensor(n("ffn_gate_exps.weight"));
      const up = p.tensor(n("ffn_up_exps.weight"));
      if (!sidecars && gate && up && !p.tensor(n("ffn_gate_up_exps.weight")) && gate.type === up.type && gate.dims.join() === up.dims.join()) {
        // llama.cpp's fused layout: per expert, its gate rows then its up rows.
        const g = p.sourceOf(gate.name);
        const u = p.sourceOf(up.name);
        const experts = gate.dims[2]!;
        const per = g.size / experts;
        const ranges: { at: number; size: number }[] = [];
        for (let e = 0; e < experts; e++) ranges.push({ at: g.at + e * per, size: per }, { at: u.at + e * per, size: per });
        gate.name = n("ffn_gate_up_exps.weight");
        gate.dims = [gate.dims[0]!, gate.dims[1]! * 2, experts];
        gate.data = { kind: "op", op: concatOp(ranges) };
        p.drop(up.name);
      }
      p.rename(n("ffn_gate_inp.per_expert_scale"), n("ffn_down_exps.scale"));
    }
  },
};

function qwen35Like(arch: string, extraMarkers: string[]): Handler {
  return {
    name: arch,
    detect: (p) =>
      archIs(p, arch) &&
      ([".vision.block_count", ".image_token_id", ".ssm.v_head_reordered", ".rope.mrope_interleaved", ...extraMarkers].some((k) => p.has(arch + k)) ||
        p.hasPrefix("mtp.") ||
        p.hasPrefix("v.")),
    text(p: Plan) {
      collapseToMax(p, `${arch}.attention.head_count_kv`, 2);
      padSections(p, `${arch}.rope.dimension_sections`, `${arch}.rope.dimension_sections`);
      renameSsmDt(p);
      // Ollama also moves the published MTP layer into llama.cpp's nextn block; herd drops it for now
      // (llama.cpp runs without it: speculative MTP decoding is all it gives).
      p.hide("v.", "mm.", "mtp.");
    },
  };
}

export const qwen35 = qwen35Like("qwen35", []);
export const qwen35moe = qwen35Like("qwen35moe", [".feed_forward_length"]);

export const deepseekocr: Handler = {
  name: "deepseekocr",
  detect: (p) => archIs(p, "deepseekocr"),
  text(p: Plan) {
    p.set("general.architecture", "string", "deepseek2-ocr");
    p.movePrefix("deepseekocr.", "deepseek2-ocr.");
    p.inject("deepseek2-ocr.attention.layer_norm_rms_epsilon", "float32", 1e-6);
    // blk.0 is dense; blk.1 is the first MoE block.
    const down = p.tensor("blk.1.ffn_down_exps.weight");
    if (down) p.inject("deepseek2-ocr.expert_feed_forward_length", "uint32", down.dims[0]!);
    const shexp = p.tensor("blk.1.ffn_down_shexp.weight");
    const ff = p.num("deepseek2-ocr.expert_feed_forward_length");
    if (shexp && ff) p.inject("deepseek2-ocr.expert_shared_count", "uint32", Math.floor(shexp.dims[0]! / ff));
    p.hide("s.", "v.", "mm.");
  },
};

export const glmocr: Handler = {
  name: "glmocr",
  detect: (p) => archIs(p, "glmocr"),
  text(p: Plan) {
    p.set("general.architecture", "string", "glm4");
    p.movePrefix("glmocr.", "glm4.");
    padSections(p, "glm4.rope.mrope_section", "glm4.rope.dimension_sections");
    const keyLen = p.kv.get("glm4.attention.key_length");
    if (keyLen && !p.has("glm4.rope.dimension_count")) p.set("glm4.rope.dimension_count", keyLen.type, keyLen.value);
    if (p.has("tokenizer.ggml.pre")) p.set("tokenizer.ggml.pre", "string", "chatglm-bpe");
    p.renameContaining(".attn_out.", ".attn_output.");
    p.renameContaining(".post_attn_norm.", ".post_attention_norm.");
    p.renameContaining(".post_ffn_norm.", ".post_ffw_norm.");
    // GLM4 reads one ffn_up of twice the width: the gate half first (silu(gate) · up).
    for (const gate of p.tensors.filter((t) => /^blk\.\d+\.ffn_gate\.weight$/.test(t.name))) {
      const up = gate.name.replace(".ffn_gate.", ".ffn_up.");
      const u = p.tensor(up);
      if (!u) continue;
      p.concat(up, [gate.name, up], [u.dims[0]!, u.dims[1]! * 2]);
    }
    p.hide("v.", "mm.");
  },
};

export const nemotronHOmni: Handler = {
  name: "nemotron_h_omni",
  detect: (p) => archIs(p, "nemotron_h_omni") && (p.hasPrefix("v.") || p.hasPrefix("a.") || p.hasPrefix("mm.")),
  text(p: Plan) {
    const moe = (p.num("nemotron_h_omni.expert_count") ?? 0) > 0 || (p.num("nemotron_h_omni.expert_used_count") ?? 0) > 0;
    const arch = moe ? "nemotron_h_moe" : "nemotron_h";
    p.set("general.architecture", "string", arch);
    for (const k of [...p.kv.keys()]) {
      if (!k.startsWith("nemotron_h_omni.")) continue;
      const rest = k.slice("nemotron_h_omni.".length);
      if (!rest.startsWith("vision.") && !rest.startsWith("audio.")) p.copy(k, `${arch}.${rest}`);
      p.remove(k);
    }
    p.hide("a.", "v.", "mm.");
    if (moe) nemotronHMoe.text!(p);
  },
};
