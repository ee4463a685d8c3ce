import { startFakeOllama } from "./fake-server.js";
const f = await startFakeOllama({ models: { tiny: {} }, replies: [{ content: ["Hello", " there!"] }, { content: ["multi", " ok"] }, { content: Array.from({length: 50}, (_, i) => ` w${i}`), delayMs: 300 }, { content: ["after"] }], port: 38111 });
setTimeout(async () => { console.log(JSON.stringify(f.requests, null, 1)); await f.close(); }, 40000);
