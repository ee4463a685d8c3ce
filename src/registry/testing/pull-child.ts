// Test helper run as a child process: pulls one model and prints each progress line as JSON, so a
// test can SIGKILL it mid-transfer. Usage: pull-child.ts <store root> <name> <part size> <concurrency>
import { pullModel } from "../../models/pull.js";
import { Store } from "../../store/index.js";
import { createRegistryClient } from "../client.js";

const [root, name, partSize, concurrency] = process.argv.slice(2);
await pullModel(new Store(root), createRegistryClient(), name, {
  insecure: true,
  tuning: { partSize: Number(partSize), concurrency: Number(concurrency) },
  onProgress: (p) => process.stdout.write(`${JSON.stringify(p)}\n`),
});
