// PEFT LoRA adapters in safetensors (`adapter_config.json` + `adapter_model.safetensors`) for a llama
// base, as Ollama's convert_llama_adapter.go names them: `blk.N.attn_q.weight.lora_a` / `.lora_b`, with
// `adapter.lora.alpha`, `general.type=adapter`. llama.cpp wants lora_a as [r, in] and lora_b as [out, r]
// (PyTorch order), so factors stored the other way round are transposed; attn_q/attn_k's lora_b rows get
// the base's rotary permutation, as the base weights did (llama.cpp's convert_lora_to_gguf does the same).

import type { GgufTypedValue, GgufValue } from "../gguf/index.js";
import { ConversionError } from "../util/errors.js";
import type { ConversionPlan, PlannedTensor } from "./plan.js";
import { replaceAll } from "./plan.js";
import { readCheckpoint } from "./safetensors.js";
import type { SourceFiles } from "./source.js";

const NAMES: [string, string][] = [
  ["base_model.model.", ""],
  ["model.layers", "blk"],
  ["self_attn.q_proj", "attn_q"],
  ["self_attn.k_proj", "attn_k"],
  ["self_attn.v_proj", "attn_v"],
  ["self_attn.o_proj", "attn_output"],
  ["mlp.gate_proj", "ffn_gate"],
  ["mlp.down_proj", "ffn_down"],
  ["mlp.up_proj", "ffn_up"],
  ["lora_A.weight", "weight.lora_a"],
  ["lora_B.weight", "weight.lora_b"],
  ["lora_a", "weight.lora_a"],
  ["lora_b", "weight.lora_b"],
];

export async function planAdapter(files: SourceFiles, base: Record<string, GgufValue>): Promise<ConversionPlan> {
  const cfg = await files.json<Record<string, unknown>>("adapter_config.json");
  if (!cfg) throw new ConversionError("adapter_config.json not found");
  const arch = base["general.architecture"];
  if (!arch) throw new ConversionError("architecture not set for the base model");
  if (arch !== "llama") throw new ConversionError("unsupported architecture");
  const heads = Number(base["llama.attention.head_count"]);
  const kvHeads = Number(base["llama.attention.head_count_kv"] ?? heads);
  const params = cfg.lora_parameters as { alpha?: number } | undefined;
  const alpha = params?.alpha || Number(cfg.lora_alpha ?? 0);

  const tensors: PlannedTensor[] = [];
  for (const src of await readCheckpoint(files)) {
    const name = replaceAll(src.name, NAMES);
    const [d0, d1] = src.shape as [number, number];
    const t: PlannedTensor = { name, shape: src.shape, type: "F16", src, transforms: [] };
    const flip = (name.endsWith("weight.lora_a") && d0 > d1) || (name.endsWith("weight.lora_b") && d0 < d1);
    if (flip) t.transforms!.push({ kind: "transpose" });
    if (name.endsWith("attn_q.weight.lora_b") || name.endsWith("attn_k.weight.lora_b")) {
      if (flip) throw new ConversionError(`${src.name}: transposed LoRA factors of rotary projections are not supported`);
      t.transforms!.push({ kind: "permute", heads: name.includes("attn_q") ? heads : kvHeads });
    }
    tensors.push(t);
  }
  const metadata: Record<string, GgufTypedValue> = {
    "adapter.lora.alpha": { type: "float32", value: alpha },
    "adapter.type": { type: "string", value: "lora" },
    "general.architecture": { type: "string", value: "llama" },
    "general.file_type": { type: "uint32", value: 1 },
    "general.type": { type: "string", value: "adapter" },
    "general.version": { type: "string", value: "v0.2" },
    "llama.attention.head_count": { type: "uint32", value: heads },
    "llama.attention.head_count_kv": { type: "uint32", value: kvHeads },
  };
  return { metadata, tensors };
}
