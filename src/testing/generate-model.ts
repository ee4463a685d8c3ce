// Child-process entry that writes one generated test model: `node generate-model.js NAME OUT`.
// fixtures.ts runs it synchronously, so `model(name)` stays a plain synchronous path lookup for tests.
import { fixture } from "./fixtures.js";
import { generateModel } from "./generated-models.js";

const [name, out] = process.argv.slice(2);
await generateModel(name!, out!, fixture);
