// Jinja adapter: every real chat template in the fixtures renders a plain chat and a tool round trip;
// templates that refuse a conversation on purpose reach the caller as a 400 with their own message.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Message, Tool } from "../api/types.js";
import { FIXTURES } from "../testing/fixtures.js";
import { BadRequestError } from "../util/errors.js";
import { TemplateError } from "./errors.js";
import { renderJinja } from "./jinja.js";
import { jinjaCapabilities } from "./jinja-capabilities.js";

const DIR = join(FIXTURES, "jinja-templates");
const read = (f: string) => readFileSync(join(DIR, f), "utf8");

const chat: Message[] = [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content: "Hello, how are you?" },
  { role: "assistant", content: "I'm doing great. How can I help you today?" },
  { role: "user", content: "I'd like to show off how chat templating works!" },
];
const tools: Tool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Get the weather",
      parameters: { type: "object", required: ["city"], properties: { city: { type: "string", description: "The city" } } },
    },
  },
];
const toolChat: Message[] = [
  { role: "user", content: "What's the weather in Paris?" },
  { role: "assistant", content: "", tool_calls: [{ id: "call_abc12345", function: { name: "get_weather", arguments: { city: "Paris" } } }] },
  { role: "tool", content: "sunny, 22C", tool_name: "get_weather", tool_call_id: "call_abc12345" },
];

/** Templates that refuse a conversation on purpose, with the message they raise. */
const RAISES: Record<string, { chat?: string; tools?: string }> = {
  "google-gemma-2-2b-it.jinja": {
    chat: "System role not supported",
    tools: "Conversation roles must alternate user/assistant/user/assistant/...",
  },
};

const files = readdirSync(DIR).filter((f) => f.endsWith(".jinja")).sort();

describe("Jinja chat templates from real models", () => {
  it("has the fixtures", () => assert.ok(files.length >= 60, `${files.length} templates`));

  for (const f of files) {
    for (const [kind, input] of [
      ["chat", { messages: chat, bosToken: "<s>", eosToken: "</s>" }],
      ["tools", { messages: toolChat, tools, bosToken: "<s>", eosToken: "</s>" }],
    ] as const) {
      it(`${f} / ${kind}`, () => {
        const raised = RAISES[f]?.[kind];
        if (raised) {
          assert.throws(
            () => renderJinja(read(f), input),
            (e: unknown) => e instanceof BadRequestError && !(e instanceof TemplateError) && e.message === raised,
          );
          return;
        }
        const out = renderJinja(read(f), input);
        const lastUser = input.messages.filter((m) => m.role === "user").at(-1)!.content;
        assert.ok(out.includes(lastUser), "the last user message is rendered");
      });
    }
  }
});

describe("renderJinja variables", () => {
  const probe = (tpl: string, input: Parameters<typeof renderJinja>[1]) => renderJinja(tpl, input);

  it("passes thinking, effort, generation prompt, special tokens and extras", () => {
    const tpl =
      "{{ bos_token }}{{ enable_thinking }}|{{ reasoning_effort }}|{{ add_generation_prompt }}|{{ builtin_tools | join(',') }}|{{ date_string | length > 0 }}{{ eos_token }}";
    assert.equal(
      probe(tpl, { messages: [], think: false, thinkLevel: "high", bosToken: "<s>", eosToken: "</s>", extra: { builtin_tools: ["a", "b"] } }),
      "<s>false|high|true|a,b|true</s>",
    );
    assert.equal(probe("{{ enable_thinking is defined }}|{{ tools is none }}", { messages: [] }), "false|true");
  });

  it("gives tool calls object arguments, ids and tool results their call id and name", () => {
    const tpl =
      "{% for m in messages %}{% if m.tool_calls %}{% for tc in m.tool_calls %}{{ tc.id }}:{{ tc.type }}:{{ tc.function.name }}({{ tc.function.arguments.city }}|{{ tc.function.arguments | tojson }}){% endfor %}{% endif %}{% if m.role == 'tool' %} -> {{ m.tool_call_id }}/{{ m.name }}={{ m.content }}{% endif %}{% endfor %}";
    assert.equal(
      probe(tpl, { messages: toolChat }),
      'call_abc12345:function:get_weather(Paris|{"city": "Paris"}) -> call_abc12345/get_weather=sunny, 22C',
    );
  });

  it("maps tool call ids onto the 9-character ids Mistral templates demand, consistently", () => {
    const out = renderJinja(read("mistralai-Mistral-Nemo-Instruct-2407.jinja"), { messages: toolChat, tools });
    const ids = [...out.matchAll(/"(?:id|call_id)": "([^"]+)"/g)].map((m) => m[1]);
    assert.equal(ids.length, 2);
    assert.match(ids[0]!, /^[A-Za-z0-9]{9}$/);
    assert.equal(ids[0], ids[1]);
  });

  it("raise_exception becomes a BadRequestError carrying the template's message", () => {
    assert.throws(
      () => probe("{{ raise_exception('roles must alternate') }}", { messages: [] }),
      (e: unknown) => e instanceof BadRequestError && e.message === "roles must alternate",
    );
  });

  it("other template failures are TemplateErrors", () => {
    assert.throws(() => probe("{% for %}", { messages: [] }), (e: unknown) => e instanceof TemplateError);
  });

  it("supports the Python methods and filters real templates use", () => {
    const tpl =
      "{% set ns = namespace(q=[]) %}{% set _ = ns.q.append(1) %}{% set _ = ns.q.append(2) %}{{ ns.q.pop(0) }}{{ ns.q }}|{{ '<{}|{}>'.format('a', 3) }}|{{ [3, 1, 2] | min }}{{ [3, 1, 2] | max }}|{% for a, b in [('x', 'y')] %}{{ a }}{{ b }}{% endfor %}|{{ {'k': 'v', 'n': none} | string }}|{{ strftime_now('%Y') | length }}|{{ range(3) | join(',') }}";
    assert.equal(probe(tpl, { messages: [] }), "1[2]|<a|3>|13|xy|{'k': 'v', 'n': None}|4|0,1,2");
  });

  it("supports dicts with integer keys", () => {
    const tpl = "{% set d = {512: 'b', 0: 'a', 'x': 1} %}{{ d[512] }}{{ d[0] }}{{ d['x'] }}|{% for k, v in {16: 'q', 2: 'p'} | dictsort %}{{ k + 1 }}={{ v }};{% endfor %}";
    assert.equal(probe(tpl, { messages: [] }), "ba1|3=p;17=q;");
  });
});

describe("jinjaCapabilities", () => {
  const cases: [string, { tools: boolean; thinking: boolean }][] = [
    ["Qwen-Qwen3-0.6B.jinja", { tools: true, thinking: true }],
    ["meta-llama-Llama-3.1-8B-Instruct.jinja", { tools: true, thinking: false }],
    ["deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja", { tools: true, thinking: true }],
    ["HuggingFaceTB-SmolLM3-3B.jinja", { tools: false, thinking: true }],
    ["microsoft-Phi-3.5-mini-instruct.jinja", { tools: false, thinking: false }],
    ["google-gemma-2-2b-it.jinja", { tools: false, thinking: false }],
  ];
  for (const [f, want] of cases) it(f, () => assert.deepEqual(jinjaCapabilities(read(f)), want));
});
