import assert from "node:assert/strict";
import { test } from "node:test";
import { mainGpuEnv } from "./gpu-devices.js";

test("main_gpu shows the child only that device, counted among those already visible", () => {
  assert.deepEqual(mainGpuEnv(undefined, {}), {});
  assert.deepEqual(mainGpuEnv(-1, {}), {});
  assert.deepEqual(mainGpuEnv(1, {}), { CUDA_VISIBLE_DEVICES: "1", GGML_VK_VISIBLE_DEVICES: "1" });
  assert.deepEqual(mainGpuEnv(1, { CUDA_VISIBLE_DEVICES: "2, 3" }), { CUDA_VISIBLE_DEVICES: "3", GGML_VK_VISIBLE_DEVICES: "1" });
  assert.deepEqual(mainGpuEnv(2, { CUDA_VISIBLE_DEVICES: "2,3", GGML_VK_VISIBLE_DEVICES: "0" }), {});
});
