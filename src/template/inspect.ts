// Tree walks over a parsed template, as Ollama does them: the identifiers a template uses
// (`Template.Vars`), thinking tags (`thinking.InferTags`) and the tool-call tag (`tools/template.go`).

import type { ArgNode, ListNode, Node, PipeNode } from "./ast.js";

/** Field and variable identifiers in pipelines (not inside chains), as Ollama's `Identifiers`. */
export function identifiers(lists: Iterable<ListNode>): Set<string> {
  const out = new Set<string>();
  const pipe = (p: PipeNode | undefined): void => {
    if (!p) return;
    for (const c of p.cmds) for (const a of c.args) arg(a);
  };
  const arg = (a: ArgNode): void => {
    if (a.type === "field" || a.type === "variable") for (const id of a.ident) out.add(id.toLowerCase());
    else if (a.type === "pipe") pipe(a);
  };
  const node = (n: Node): void => {
    switch (n.type) {
      case "action":
      case "template":
        pipe(n.pipe);
        return;
      case "if":
      case "range":
      case "with":
        pipe(n.pipe);
        list(n.list);
        if (n.elseList) list(n.elseList);
    }
  };
  const list = (l: ListNode): void => l.nodes.forEach(node);
  for (const l of lists) list(l);
  return out;
}

type Visited = ListNode | Node | PipeNode | ArgNode | { type: "command"; args: ArgNode[] };

function visit(n: Visited, enter: (n: Visited, ancestors: Visited[]) => void, ancestors: Visited[] = []): void {
  enter(n, ancestors);
  ancestors.push(n);
  switch (n.type) {
    case "list":
      for (const c of n.nodes) visit(c, enter, ancestors);
      break;
    case "if":
    case "range":
    case "with":
      visit(n.pipe, enter, ancestors);
      visit(n.list, enter, ancestors);
      if (n.elseList) visit(n.elseList, enter, ancestors);
      break;
    case "action":
      visit(n.pipe, enter, ancestors);
      break;
    case "template":
      if (n.pipe) visit(n.pipe, enter, ancestors);
      break;
    case "pipe":
      for (const c of n.cmds) visit(c, enter, ancestors);
      break;
    case "command":
      for (const a of n.args) visit(a, enter, ancestors);
      break;
  }
  ancestors.pop();
}

function pipeUsesField(p: PipeNode, field: string): boolean {
  let found = false;
  visit(p, (n) => {
    if (n.type === "field" && n.ident[0] === field) found = true;
  });
  return found;
}

/**
 * Thinking tags: for each `.Thinking` inside a `range` over `.Messages`, the trimmed first and last
 * text nodes of its nearest enclosing list (the last match wins, as in Ollama).
 */
export function inferThinkingTagsFromTree(root: ListNode): { open: string; close: string } | undefined {
  let open = "";
  let close = "";
  visit(root, (n, ancestors) => {
    if (n.type !== "field" || n.ident[0] !== "Thinking") return;
    const range = [...ancestors].reverse().find((a) => a.type === "range");
    if (!range || range.type !== "range" || !pipeUsesField(range.pipe, "Messages")) return;
    const list = [...ancestors].reverse().find((a) => a.type === "list");
    if (!list || list.type !== "list") return;
    const first = list.nodes[0];
    const last = list.nodes[list.nodes.length - 1];
    if (first?.type === "text") open = first.text.trim();
    if (last?.type === "text") close = last.text.trim();
  });
  return open !== "" && close !== "" ? { open, close } : undefined;
}

function isToolCallsIf(n: Node): boolean {
  return n.type === "if" && n.pipe.cmds.some((c) => c.args.some((a) => a.type === "field" && a.ident.includes("ToolCalls")));
}

function findToolCallNode(nodes: Node[]): Extract<Node, { type: "if" }> | undefined {
  for (const n of nodes) {
    if (n.type !== "if" && n.type !== "range" && n.type !== "with") continue;
    if (n.type === "if" && isToolCallsIf(n)) return n;
    const found = findToolCallNode(n.list.nodes) ?? (n.elseList ? findToolCallNode(n.elseList.nodes) : undefined);
    if (found) return found;
  }
  return undefined;
}

function findTextNode(nodes: Node[]): string | undefined {
  for (const n of nodes) {
    switch (n.type) {
      case "text":
        return n.text;
      case "if":
      case "range":
      case "with":
        return findTextNode(n.list.nodes) ?? (n.elseList ? findTextNode(n.elseList.nodes) : undefined);
      case "action":
        return undefined;
    }
  }
  return undefined;
}

/**
 * The text a model writes before a tool call: the first text inside the `{{ if .ToolCalls }}` block,
 * trimmed and cut before the first `{`; `{` when the template has none (Ollama's parseTag + default).
 */
export function inferToolCallTagFromTree(root: ListNode): string {
  const block = findToolCallNode(root.nodes);
  const text = block ? findTextNode(block.list.nodes) : undefined;
  const tag = (text ?? "").trim().replace(/\r\n/g, "\n").split("{")[0]!;
  return tag === "" ? "{" : tag;
}
