import { EngineRunner } from "./dist/src/runner/engine/index.js";
import { Batch } from "./dist/src/runner/engine/batch.js";
import { LoadedModel } from "./dist/src/runner/engine/model.js";
import { loadLlama, captureLog } from "./dist/src/runner/native/index.js";
const path = process.argv[2]; const T = Number(process.argv[3] ?? 1);
const api = loadLlama({ gpu: false }); const restore = captureLog(api, () => {});
const m = LoadedModel.load(api, path, { useMmap: false, gpuLayers: 0 });
const ctx = m.createContext({ nCtx: 2048, nBatch: 512, nSeqMax: 1, threads: T, threadsBatch: T, embeddings: false }); restore();
const batch = new Batch(api, 512); const chain = api.llama_sampler_chain_init(api.llama_sampler_chain_default_params()); api.llama_sampler_chain_add(chain, api.llama_sampler_init_greedy());
function direct(i, n) { api.llama_memory_clear(ctx.mem, true); const toks = m.tokenize(`${i}. Once upon a time`); batch.clear(); toks.forEach((t, k) => batch.add(t, k, 0, k === toks.length - 1)); api.llama_decode(ctx.ptr, batch.value); let tok = api.llama_sampler_sample(chain, ctx.ptr, toks.length - 1); const t1 = performance.now(); for (let k = 1; k < n; k++) { batch.clear(); batch.add(tok, toks.length + k - 1, 0, true); api.llama_decode(ctx.ptr, batch.value); tok = api.llama_sampler_sample(chain, ctx.ptr, 0); } return (n - 1) / ((performance.now() - t1) / 1000); }
const r = await EngineRunner.create({ modelPath: path, numCtx: 2048, numGpu: 0, numThread: T });
async function herd(i, n) { let first = 0, cnt = 0; for await (const c of r.complete({ prompt: `${i}. Once upon a time`, sampling: { temperature: 0, numPredict: n } })) { if (c.type === "token") { if (!first) first = performance.now(); cnt += c.tokens.length; } } return (cnt - 1) / ((performance.now() - first) / 1000); }
const ratios = [];
for (let i = 0; i < 6; i++) { const d = direct(i, 256); const h = await herd(i, 256); ratios.push(h / d); console.log(d.toFixed(0), h.toFixed(0), (h / d).toFixed(2)); }
ratios.sort(); console.log("median ratio", ratios[3].toFixed(2));
await r.close();
