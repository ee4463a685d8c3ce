// Entry of the quantize child process: one job as JSON in argv[2]; exit code 0 on success. llama.cpp logs
// (one line per tensor) go to stderr, where the parent reads progress from them.

import { quantizeModel, type QuantizeJob } from "./quantize.js";

try {
  quantizeModel(JSON.parse(process.argv[2]!) as QuantizeJob);
  process.exit(0);
} catch (e) {
  process.stderr.write(`herd-quantize-error: ${(e as Error).message}\n`);
  process.exit(1);
}
