// Ollama's `main_gpu` (ollama-spec §10: an explicit main_gpu places the model on that GPU). node-llama-cpp
// has no main-GPU option, so the child process shows its backends only that device, through the
// variables the CUDA runtime and ggml's Vulkan backend read when they start. Metal has one device.

const DEVICE_VARS = ["CUDA_VISIBLE_DEVICES", "GGML_VK_VISIBLE_DEVICES"] as const;

/**
 * The environment changes that make device `mainGpu` the only one visible. An index counts the devices
 * already visible: with `CUDA_VISIBLE_DEVICES=2,3`, main_gpu 1 is device 3. An index past that list
 * changes nothing (the backend keeps every device it was given).
 */
export function mainGpuEnv(mainGpu: number | undefined, env: NodeJS.ProcessEnv): Record<string, string> {
  if (mainGpu === undefined || !Number.isInteger(mainGpu) || mainGpu < 0) return {};
  const out: Record<string, string> = {};
  for (const name of DEVICE_VARS) {
    const visible = env[name]?.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (!visible?.length) out[name] = String(mainGpu);
    else if (mainGpu < visible.length) out[name] = visible[mainGpu]!;
  }
  return out;
}
