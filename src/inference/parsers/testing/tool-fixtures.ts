// Tool definitions shared by the parser tests.

import type { Tool, ToolCall } from "../../../api/types.js";

function tool(name: string, properties: Record<string, { type: string }>): Tool {
  return { type: "function", function: { name, description: name, parameters: { type: "object", properties } } };
}

export const WEATHER = tool("get_weather", { city: { type: "string" }, days: { type: "integer" } });
export const TIME = tool("get_time", { tz: { type: "string" } });
export const GET = tool("get", { url: { type: "string" } });
export const SEARCH = tool("web-search.v2", { query: { type: "string" }, strict: { type: "boolean" } });
export const TOOLS: Tool[] = [WEATHER, TIME, GET, SEARCH];

/** The calls a test expects, numbered and id'd the way `sequentialIds` does. */
export function expectCalls(...calls: Array<[string, Record<string, unknown>]>): ToolCall[] {
  return calls.map(([name, args], i) => ({
    id: "call_" + String(i).padStart(8, "0"),
    function: { index: i, name, arguments: args },
  }));
}
