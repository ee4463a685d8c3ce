// Modelfile: parse (Ollama's grammar and errors), interpret into create-request fields,
// type parameters and request options, and render `show --modelfile`.
//
//   parseModelfile(text | bytes)        → { commands: [{ name, args }] }; throws ModelfileError
//                                          ("(line N): command must be one of …", "no FROM line", "unexpected EOF", …)
//   interpretModelfile(mf)              → ModelfileSpec { from[], adapters[], drafts[], template?, system?, license[],
//                                          parameters, messages[], requires?, renderer?, parser?, warnings[] }
//   expandModelfilePath(path, dir)      FROM/ADAPTER path resolution (~, absolute, relative to the Modelfile)
//   parseRequires(raw)                  REQUIRES semver check, returns it without the `v`
//   OPTION_TYPES, DEPRECATED_PARAMETERS option table (§1.4)
//   typeParameter(name, values)         one parameter's values typed (api.FormatParams; /set parameter too)
//   parseParameterValue(name, raw)      one PARAMETER value, typed
//   formatParams(pairs, warnings?)      → typed parameters; `stop` accumulates, deprecated names dropped + warned
//   coerceOptions(map)                  request `options` → { options, unknown[] }; throws InvalidOptionError
//   formatModelfile(view)               `ollama show --modelfile` text; modelfileCommands(view) its commands
//   formatCommands(mf), quote(s)        commands back to Modelfile text with Ollama's quoting
//   formatShowParameters(params)        /api/show `parameters` text ("%-30s %#v" lines)
//   formatParameterValue(name, v), goFloat(x)   Go's %v printing of values
export { parseModelfile, unquote, COMMAND_ERROR, ROLE_ERROR } from "./parser.js";
export type { Modelfile, ModelfileCommand } from "./parser.js";
export { interpretModelfile, expandModelfilePath, parseRequires } from "./interpret.js";
export type { ModelfileSpec, ModelfileMessage } from "./interpret.js";
export {
  OPTION_TYPES,
  DEPRECATED_PARAMETERS,
  parseParameterValue,
  typeParameter,
  formatParams,
  coerceOptions,
  toFloat32,
} from "./params.js";
export type { OptionType, OptionValue, CoercedOptions } from "./params.js";
export {
  formatModelfile,
  modelfileCommands,
  formatCommands,
  quote,
  formatShowParameters,
  formatParameterValue,
  goFloat,
} from "./format.js";
export type { ModelfileView } from "./format.js";
export { ModelfileError } from "../util/errors.js";
