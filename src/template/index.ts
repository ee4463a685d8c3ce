// Prompt templates: herd's Go text/template engine with Ollama's semantics, named templates with
// auto-detection, template capabilities, and the Jinja adapter.
//
//   parseTemplate(text) → GoTemplate                 parse (throws TemplateError, a 400: `template error: …`)
//       GoTemplate: raw, vars (lower-cased identifiers), usesMessages/usesResponse/usesSuffix/usesTools
//   renderTemplate(tpl, { messages, tools?, think?, thinkLevel?, isThinkSet?, system? }) → prompt
//       Messages mode when the template uses `.Messages`, else Ollama's legacy per-turn mode.
//   renderSuffixTemplate(tpl, { prompt, suffix, system? }) → prompt (fill-in-the-middle)
//   templateCapabilities(tpl) → { tools, insert, thinking }
//   inferThinkingTags(tpl) → { open, close } | undefined;  inferToolCallTag(tpl) → tag ("{" by default)
//   detectNamedTemplate(jinja) / loadNamedTemplate(name) → { name, template, parameters } | undefined
//   renderJinja(chatTemplate, { messages, tools?, addGenerationPrompt?, bosToken?, eosToken?, think?,
//       thinkLevel?, extra? }, templates?) → prompt; a template's raise_exception → BadRequestError(message)
//   jinjaTemplates(max) → a bounded cache of compiled Jinja templates for renderJinja
//   jinjaCapabilities(text) → { tools, thinking }
//   execute(tree, data) runs a parsed template on raw data: plain objects are Go maps, arrays slices,
//       GoStruct structs, and an object's [GO_STRING]() method makes it a fmt.Stringer.
// Named templates are read from `templates/` at the package root (Ollama's template/ folder).

export { TemplateError } from "./errors.js";
export {
  GoTemplate,
  inferThinkingTags,
  inferToolCallTag,
  parseTemplate,
  renderSuffixTemplate,
  renderTemplate,
  templateCapabilities,
  type TemplateCapabilities,
  type TemplateInput,
} from "./go-template.js";
export { execute } from "./exec.js";
export { GO_STRING, GoStruct } from "./values.js";
export { detectNamedTemplate, loadNamedTemplate, TEMPLATES_DIR, type NamedTemplate } from "./named.js";
export { jinjaTemplates, renderJinja, type JinjaInput, type JinjaTemplates } from "./jinja.js";
export { jinjaCapabilities, type JinjaCapabilities } from "./jinja-capabilities.js";
