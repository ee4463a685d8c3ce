// Translation of models Ollama publishes for its own engine into files llama.cpp loads as they are
// (docs/translation.md has the table of handled architectures).
//
//   new Translator({ dir, readHeader?, log? })   translator.prepare(loadOptions) → loadOptions with translated
//                                                 paths (model, and the projector of a monolithic vision model)
//   translatingRunner(createRunner, translator)  the CreateRunner that translates before it loads
//   planModel(gguf) / planProjector(gguf)        what a file needs (undefined: nothing), as Plans
//   writePlan(src, plan, out, mode?)             writes a plan ("clone": reflink/copy + new header; "pack")
//   matchesPlan(path, plan, mode?)               a written file has the plan's exact size and header
//   IncompatibleModelError                       a recognised file lacking keys/tensors its translation needs
export { Translator } from "./translator.js";
export type { TranslatorOptions, TranslateEvent } from "./translator.js";
export { planModel, planProjector, TRANSLATOR_VERSION, HANDLED } from "./translate.js";
export type { PlannedTranslation } from "./translate.js";
export { Plan } from "./plan.js";
export { writePlan, chooseMode, matchesPlan } from "./write.js";
export type { WriteMode } from "./write.js";
export { IncompatibleModelError } from "./errors.js";
export { translatingRunner } from "./hook.js";
