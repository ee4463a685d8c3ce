// `/api/show` (ollama-spec §1.5): details, model_info, tensors, Modelfile, parameters, template,
// system, license, messages, capabilities.

import type { ShowResponse } from "../api/types.js";
import { modelInfo, tensorsInfo } from "../gguf/index.js";
import { formatModelfile, formatShowParameters } from "../modelfile/index.js";
import { readModel, type Store } from "../store/index.js";
import { modelCapabilities, chatTemplateOf } from "./capabilities.js";
import type { GgufCache } from "../gguf/index.js";
import { detailsOf } from "./list.js";
import { resolveExisting } from "./names.js";

export async function showModel(
  store: Store,
  ggufs: GgufCache,
  rawName: string,
  opts: { verbose?: boolean; system?: string; options?: Record<string, unknown> } = {},
): Promise<ShowResponse> {
  const name = await resolveExisting(store, rawName);
  const model = await readModel(store, name);
  const gguf = model.modelPath ? await ggufs.read(model.modelPath).catch(() => undefined) : undefined;
  const params = { ...model.params, ...(opts.options ?? {}) };
  const system = opts.system ?? model.system;
  const template = model.template ?? chatTemplateOf(gguf);
  const details = detailsOf(model);
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
    capabilities: modelCapabilities(model, gguf),
    modified_at: model.modifiedAt.toISOString(),
  };
  if (model.config.requires) resp.requires = model.config.requires;
  for (const k of Object.keys(resp) as (keyof ShowResponse)[]) if (resp[k] === undefined) delete resp[k];
  return resp;
}
