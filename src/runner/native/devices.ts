// The GPUs llama.cpp would load a model onto, with their free memory now, through ggml's device API. The
// list follows llama.cpp's default device choice (llama_model_load_from_file without `devices`): discrete
// GPUs in ggml's order, or, when there is none, the integrated GPUs of the first backend that has one; RPC
// devices are left out (herd never registers them). llama.cpp also drops a GPU whose PCI id repeats one
// already listed (one GPU seen by two backends); each of herd's packages holds one GPU backend, so none
// repeats. `n_gpu_layers`, `main_gpu` and `tensor_split` index this list.

import koffi from "koffi";
import type { LlamaApi } from "./api.js";
import * as S from "./structs.js";

export interface NativeDevice {
  /** ggml's device name: "CUDA0", "Vulkan1", "MTL0", … */
  name: string;
  description: string;
  /** Bytes free now. */
  free: number;
  total: number;
}

export function gpuDevices(api: LlamaApi): NativeDevice[] {
  if (!api.llama_supports_gpu_offload()) return [];
  const gpus: NativeDevice[] = [];
  const igpus: NativeDevice[] = [];
  let igpuReg: unknown;
  const count = Number(api.ggml_backend_dev_count());
  for (let i = 0; i < count; i++) {
    const dev = api.ggml_backend_dev_get(i);
    const type = api.ggml_backend_dev_type(dev) as number;
    if (type !== S.GGML_BACKEND_DEVICE_TYPE_GPU && type !== S.GGML_BACKEND_DEVICE_TYPE_IGPU) continue;
    const reg = api.ggml_backend_dev_backend_reg(dev);
    if (type === S.GGML_BACKEND_DEVICE_TYPE_GPU && String(api.ggml_backend_reg_name(reg)) === "RPC") continue;
    const free = [0];
    const total = [0];
    api.ggml_backend_dev_memory(dev, free, total);
    const d = { name: String(api.ggml_backend_dev_name(dev)), description: String(api.ggml_backend_dev_description(dev)), free: Number(free[0]), total: Number(total[0]) };
    if (type === S.GGML_BACKEND_DEVICE_TYPE_GPU) gpus.push(d);
    else if (igpus.length === 0 || koffi.address(reg) === koffi.address(igpuReg)) {
      igpuReg ??= reg;
      igpus.push(d);
    }
  }
  return gpus.length ? gpus : igpus;
}
