// Ollama's use of a Go template (template/template.go): parsing with the appended `{{ .Response }}`,
// Messages mode, legacy per-turn mode with the last turn cut after `.Response`, suffix mode, and the
// capabilities a template implies (§8.4).

import type { Message, Tool } from "../api/types.js";
import type { ArgNode, ListNode, Node, PipeNode } from "./ast.js";
import { execute } from "./exec.js";
import { FUNC_NAMES } from "./funcs.js";
import { collate, templateMessage, templateTools } from "./go-values.js";
import { identifiers, inferThinkingTagsFromTree, inferToolCallTagFromTree } from "./inspect.js";
import { parse } from "./parser.js";

export class GoTemplate {
  /** Lower-cased field and variable names the template references (Ollama's `Vars`). */
  readonly vars: ReadonlySet<string>;
  /** Whether `{{ .Response }}` was appended because the template used neither `.Messages` nor `.Response`. */
  readonly appendedResponse: boolean;

  constructor(
    readonly raw: string,
    readonly root: ListNode,
    readonly defines: Map<string, ListNode>,
  ) {
    const vars = identifiers([root, ...defines.values()]);
    this.appendedResponse = !vars.has("messages") && !vars.has("response");
    if (this.appendedResponse) {
      vars.add("response");
      const response: PipeNode = {
        type: "pipe",
        decl: [],
        isAssign: false,
        cmds: [{ type: "command", args: [{ type: "field", ident: ["Response"], line: 0, col: 0 }], src: ".Response", line: 0, col: 0 }],
        line: 0,
        col: 0,
      };
      root.nodes.push({ type: "action", pipe: response, line: 0, col: 0 });
    }
    this.vars = vars;
  }

  private lastTurn?: ListNode;

  /** The tree legacy mode runs for the last turn: everything after the first `.Response` dropped. */
  get lastTurnRoot(): ListNode {
    this.lastTurn ??= cutAfterResponse(this.root);
    return this.lastTurn;
  }

  get usesMessages(): boolean {
    return this.vars.has("messages");
  }
  get usesResponse(): boolean {
    return this.vars.has("response");
  }
  get usesSuffix(): boolean {
    return this.vars.has("suffix");
  }
  get usesTools(): boolean {
    return this.vars.has("tools");
  }

  toString(): string {
    return this.raw;
  }
}

/** Parses a Go template; throws TemplateError (`template error: template: :line:col: …`). */
export function parseTemplate(text: string): GoTemplate {
  const { root, defines } = parse(text, FUNC_NAMES);
  return new GoTemplate(text, root, defines);
}

export interface TemplateInput {
  /** An extra system message placed before `messages` (callers usually include it in `messages`). */
  system?: string;
  messages: Message[];
  tools?: Tool[];
  think?: boolean;
  thinkLevel?: string;
  isThinkSet?: boolean;
}

function thinkValues(input: { think?: boolean; thinkLevel?: string; isThinkSet?: boolean }) {
  return { Think: input.think ?? false, ThinkLevel: input.thinkLevel ?? "", IsThinkSet: input.isThinkSet ?? false };
}

/** Renders a chat: Messages mode when the template uses `.Messages`, else legacy per-turn mode. */
export function renderTemplate(tpl: GoTemplate, input: TemplateInput): string {
  const all = input.system !== undefined ? [{ role: "system", content: input.system }, ...input.messages] : input.messages;
  const { system, messages } = collate(all);
  const think = thinkValues(input);
  if (tpl.usesMessages) {
    return execute(tpl, {
      System: system,
      Messages: messages.map(templateMessage),
      Tools: templateTools(input.tools),
      Response: "",
      ...think,
    });
  }
  return legacy(tpl, messages, think);
}

function legacy(tpl: GoTemplate, messages: Message[], think: ReturnType<typeof thinkValues>): string {
  let out = "";
  let system = "";
  let prompt = "";
  let response = "";
  const turn = (): void => {
    out += execute(tpl, { System: system, Prompt: prompt, Response: response, ...think });
    system = prompt = response = "";
  };
  for (const m of messages) {
    switch (m.role) {
      case "system":
        if (prompt !== "" || response !== "") turn();
        system = m.content;
        break;
      case "user":
        if (response !== "") turn();
        prompt = m.content;
        break;
      case "assistant":
        response = m.content;
        break;
    }
  }
  const cut = { root: tpl.lastTurnRoot, defines: tpl.defines };
  return out + execute(cut, { System: system, Prompt: prompt, Response: response, ...think });
}

/**
 * Ollama's deleteNode: keep everything up to and including the first `.Response` field in an
 * action, drop everything after it, so the last turn ends where the model's answer begins.
 */
export function cutAfterResponse(root: ListNode): ListNode {
  let cut = false;
  const hit = (a: ArgNode): boolean => a.type === "field" && a.ident.includes("Response");
  const pipe = (p: PipeNode): PipeNode | undefined => {
    const cmds = [];
    for (const c of p.cmds) {
      const args: ArgNode[] = [];
      for (const a of c.args) {
        if (cut) continue;
        if (hit(a)) {
          cut = true;
          args.push(a);
        } else if (a.type === "pipe") {
          const inner = pipe(a);
          if (inner) args.push(inner);
        } else {
          args.push(a);
        }
      }
      if (args.length === 0) return undefined;
      cmds.push({ ...c, args });
    }
    return cmds.length ? { ...p, cmds } : undefined;
  };
  const list = (l: ListNode): ListNode => {
    const nodes: Node[] = [];
    for (const n of l.nodes) {
      if (cut) break;
      const kept = node(n);
      if (kept) nodes.push(kept);
    }
    return { type: "list", nodes };
  };
  const node = (n: Node): Node | undefined => {
    switch (n.type) {
      case "action": {
        const p = pipe(n.pipe);
        return p ? { ...n, pipe: p } : undefined;
      }
      case "if":
      case "range":
      case "with": {
        const body = list(n.list);
        // Go would fail on an else branch after the cut; dropping it is the graceful equivalent.
        const elseList = n.elseList && !cut ? list(n.elseList) : undefined;
        return { ...n, list: body, elseList };
      }
      default:
        return n;
    }
  };
  return list(root);
}

/** Suffix (fill-in-the-middle) rendering: `.Prompt`/`.Suffix` when both are non-empty. */
export function renderSuffixTemplate(
  tpl: GoTemplate,
  input: { prompt: string; suffix: string; system?: string; think?: boolean; thinkLevel?: string; isThinkSet?: boolean },
): string {
  if (input.prompt !== "" && input.suffix !== "") {
    const data: Record<string, unknown> = { Prompt: input.prompt, Suffix: input.suffix, Response: "", ...thinkValues(input) };
    if (input.system !== undefined) data.System = input.system;
    return execute(tpl, data);
  }
  const messages: Message[] = [];
  if (input.system) messages.push({ role: "system", content: input.system });
  messages.push({ role: "user", content: input.prompt });
  return renderTemplate(tpl, { ...input, messages, system: undefined });
}

export interface TemplateCapabilities {
  tools: boolean;
  insert: boolean;
  thinking: boolean;
}

/** §8.4: tools ⇐ `.Tools`, insert ⇐ `.Suffix`, thinking ⇐ tags around `.Thinking` in `range .Messages`. */
export function templateCapabilities(tpl: GoTemplate): TemplateCapabilities {
  return { tools: tpl.usesTools, insert: tpl.usesSuffix, thinking: inferThinkingTags(tpl) !== undefined };
}

export function inferThinkingTags(tpl: GoTemplate): { open: string; close: string } | undefined {
  return inferThinkingTagsFromTree(tpl.root);
}

export function inferToolCallTag(tpl: GoTemplate): string {
  return inferToolCallTagFromTree(tpl.root);
}
