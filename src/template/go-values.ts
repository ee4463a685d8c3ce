// Ollama's template-facing values (template/template.go): messages as *templateMessage structs,
// tools whose printed form is JSON while their fields stay reachable, tool-call arguments that print
// as JSON objects, and the collation of consecutive same-role messages.

import type { Message, Tool, ToolCall, ToolProperty } from "../api/types.js";
import { fromJson, GO_STRING, GoStruct, goJson } from "./values.js";

function withStringer<T extends object>(value: T, print: () => string): T {
  Object.defineProperty(value, GO_STRING, { value: print, enumerable: false });
  return value;
}

/** api.PropertyType: a []string that prints as its single element. */
function propertyType(t: string | string[] | undefined): string[] {
  const list = t === undefined ? [] : Array.isArray(t) ? [...t] : [t];
  return withStringer(list, () => (list.length === 1 ? list[0]! : list.length === 0 ? "" : `[${list.join(" ")}]`));
}

function nonEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** api.ToolProperty, a struct (`toTypeScriptType` recognizes it by type name). */
export function toolProperty(p: ToolProperty): GoStruct {
  const type = propertyType(p.type);
  const anyOf = (p.anyOf ?? []).map(toolProperty);
  const nested = p.properties ? orderedProperties(p.properties) : null;
  const fields = {
    AnyOf: anyOf,
    Type: type,
    Items: fromJson(p.items),
    Description: p.description ?? "",
    Enum: p.enum ? fromJson(p.enum) : [],
    Properties: nested,
    Required: p.required ?? [],
  };
  return new GoStruct("api.ToolProperty", fields, () => {
    // omitempty on every field; `type` marshals as a string when it has one element.
    const out: Record<string, unknown> = {};
    if (anyOf.length) out.anyOf = anyOf;
    if (type.length) out.type = type.length === 1 ? type[0] : [...type];
    if (nonEmpty(fields.Items)) out.items = fields.Items;
    if (fields.Description) out.description = fields.Description;
    if (nonEmpty(fields.Enum)) out.enum = fields.Enum;
    if (nested) out.properties = nested;
    if (fields.Required.length) out.required = fields.Required;
    return out;
  });
}

/** Nested properties keep the client's key order in JSON (Go's ordered map); top-level ones are sorted. */
function orderedProperties(props: Record<string, ToolProperty>): GoStruct {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) fields[k] = toolProperty(v);
  const s = new GoStruct("api.ToolPropertiesMap", fields);
  return withStringer(s, () => goJson(s));
}

function templateProperties(props: Record<string, ToolProperty> | undefined): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props ?? {})) m[k] = toolProperty(v);
  return withStringer(m, () => goJson(m));
}

function templateTool(tool: Tool): GoStruct {
  const params = tool.function.parameters ?? {};
  const paramFields = {
    Type: params.type ?? "",
    Defs: fromJson(params.$defs),
    Items: fromJson(params.items),
    Required: params.required ?? [],
    Properties: templateProperties(params.properties),
  };
  const parameters = new GoStruct("template.templateToolFunctionParameters", paramFields, () => {
    const out: Record<string, unknown> = { type: paramFields.Type };
    if (nonEmpty(paramFields.Defs)) out.$defs = paramFields.Defs;
    if (nonEmpty(paramFields.Items)) out.items = paramFields.Items;
    if (paramFields.Required.length) out.required = paramFields.Required;
    out.properties = paramFields.Properties;
    return out;
  });
  const fnFields = { Name: tool.function.name, Description: tool.function.description ?? "", Parameters: parameters };
  const fn = new GoStruct("template.templateToolFunction", fnFields, () => ({
    name: fnFields.Name,
    description: fnFields.Description,
    parameters,
  }));
  withStringer(fn, () => goJson(fn));
  const items = fromJson(tool.items);
  const t = new GoStruct("template.templateTool", { Type: tool.type, Items: items, Function: fn }, () => {
    const out: Record<string, unknown> = { type: tool.type };
    if (nonEmpty(items)) out.items = items;
    out.function = fn;
    return out;
  });
  return withStringer(t, () => goJson(t));
}

/** `.Tools`: a slice that prints as JSON (`null` when the request had no tools). */
export function templateTools(tools: Tool[] | undefined): unknown[] {
  const list = (tools ?? []).map(templateTool);
  return withStringer(list, () => (tools === undefined ? "null" : goJson(list)));
}

function templateToolCall(tc: ToolCall): GoStruct {
  const args = fromJson(tc.function.arguments ?? {}) as Record<string, unknown>;
  withStringer(args, () => goJson(args));
  const fn = new GoStruct("template.templateToolCallFunction", {
    Index: tc.function.index ?? 0,
    Name: tc.function.name,
    Arguments: args,
  });
  return new GoStruct("template.templateToolCall", { ID: tc.id ?? "", Function: fn });
}

export function templateMessage(m: Message): GoStruct {
  return new GoStruct(
    "template.templateMessage",
    {
      Role: m.role,
      Content: m.content ?? "",
      Thinking: m.thinking ?? "",
      Images: m.images ?? [],
      ToolCalls: (m.tool_calls ?? []).map(templateToolCall),
      ToolName: m.tool_name ?? "",
      ToolCallID: m.tool_call_id ?? "",
    },
    undefined,
    true,
  );
}

/**
 * Ollama's collate: all system messages joined by "\n\n" become `.System`, and consecutive messages
 * of the same role (except tool results) merge their content with "\n\n".
 */
export function collate(messages: Message[]): { system: string; messages: Message[] } {
  const system: string[] = [];
  const out: Message[] = [];
  for (const m of messages) {
    if (m.role === "system") system.push(m.content ?? "");
    const last = out[out.length - 1];
    if (last && last.role === m.role && m.role !== "tool") {
      // Go merges into the first message in place; copy so the caller's messages stay untouched.
      out[out.length - 1] = { ...last, content: (last.content ?? "") + "\n\n" + (m.content ?? "") };
    } else {
      out.push(m);
    }
  }
  return { system: system.join("\n\n"), messages: out };
}
