// `/api/show` (ollama-spec §1.5): details, model_info, tensors, Modelfile, parameters, template,
// system, license, messages, capabilities.

import type { ShowResponse } from "../api/types.js";
import { modelInfo, tensorsInfo } from "../gguf/index.js";
import { formatModelfile, formatShowParameters } from "../modelfile/index.js";
import { chooseTemplate, modelCapabilities, modelDetails, readModel, type Store } from "../store/index.js";
import { describeGguf, type GgufCache } from "../gguf/index.js";
import { localRef } from "../name/index.js";
import { resolveExisting } from "./names.js";

export async function showModel(
  store: Store,
  ggufs: GgufCache,
  rawName: string,
  opts: { verbose?: boolean; system?: string; options?: Record<string, unknown>; preferGo?: boolean } = {},
): Promise<ShowResponse> {
  const name = await resolveExisting(store, localRef(rawName, "remote model details are unavailable"));
  const model = await readModel(store, name);
  const gguf = model.modelPath ? await ggufs.read(model.modelPath).catch(() => undefined) : undefined;
  const params = { ...model.params, ...(opts.options ?? {}) };
  const system = opts.system ?? model.system;
  const weights = gguf && describeGguf(gguf);
  const preferGo = opts.preferGo ?? true;
  const template = chooseTemplate(model.template, weights?.chat_template, preferGo)?.source;
  const details = modelDetails(model, weights);
  // Ollama describes the first projector with the same key set as model_info.
  const projector = model.projectors[0] ? await ggufs.read(model.projectors[0]).catch(() => undefined) : undefined;
  const resp: ShowResponse = {
    license: model.license.length ? model.license.join("\n") : undefined,
    modelfile: formatModelfile({
      shortName: model.shortName,
      modelPath: model.modelPath ?? model.shortName,
      adapterPaths: model.adapters,
      projectorPaths: model.projectors,
      template: model.template,
      system,
      parameters: params,
      license: model.license,
      messages: model.messages,
    }),
    parameters: Object.keys(params).length ? formatShowParameters(params) : undefined,
    template,
    system,
    details,
    messages: model.messages.length ? model.messages : undefined,
    model_info: gguf ? modelInfo(gguf, { verbose: opts.verbose }) : {},
    projector_info: projector ? modelInfo(projector, { verbose: opts.verbose }) : undefined,
    tensors: gguf ? tensorsInfo(gguf) : undefined,
    capabilities: modelCapabilities(model, weights, { preferGo }),
    modified_at: model.modifiedAt.toISOString(),
  };
  if (model.config.requires) resp.requires = model.config.requires;
  for (const k of Object.keys(resp) as (keyof ShowResponse)[]) if (resp[k] === undefined) delete resp[k];
  return resp;
}
