#!/usr/bin/env node
// The herd executable: runs the compiled CLI (built by `npm ci` through the prepare script).
import { main } from "../dist/src/cli/main.js";

main(process.argv).catch((err) => {
  process.stderr.write(`Error: ${err?.message ?? err}\n`);
  process.exit(1);
});
