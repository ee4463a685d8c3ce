// Parse tree of a Go text/template, shaped like Go's text/template/parse nodes so that Ollama's
// tree walks (Vars, InferTags, parseTag, the legacy Response cut) translate one to one.

import type { GoFloat } from "./values.js";

export interface Pos {
  line: number;
  col: number;
}

export type Node = TextNode | ActionNode | IfNode | RangeNode | WithNode | TemplateNode | BreakNode | ContinueNode;

export interface ListNode {
  type: "list";
  nodes: Node[];
}

export interface TextNode {
  type: "text";
  text: string;
}

export interface ActionNode extends Pos {
  type: "action";
  pipe: PipeNode;
}

export interface BranchNode extends Pos {
  pipe: PipeNode;
  list: ListNode;
  elseList?: ListNode;
}

export interface IfNode extends BranchNode {
  type: "if";
}

export interface RangeNode extends BranchNode {
  type: "range";
}

export interface WithNode extends BranchNode {
  type: "with";
}

export interface TemplateNode extends Pos {
  type: "template";
  name: string;
  pipe?: PipeNode;
}

export interface BreakNode extends Pos {
  type: "break";
}

export interface ContinueNode extends Pos {
  type: "continue";
}

export interface PipeNode extends Pos {
  type: "pipe";
  /** Declared or assigned variables (`$x := …`, `$i, $v := …`). */
  decl: string[];
  isAssign: boolean;
  cmds: CommandNode[];
}

export interface CommandNode extends Pos {
  type: "command";
  args: ArgNode[];
  /** Source text, for error messages (`at <…>`). */
  src: string;
}

export type ArgNode =
  | FieldNode
  | VariableNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | IdentifierNode
  | ChainNode
  | PipeNode;

/** `.A.B` → ident ["A", "B"]. */
export interface FieldNode extends Pos {
  type: "field";
  ident: string[];
}

/** `$x.A` → ident ["$x", "A"]. */
export interface VariableNode extends Pos {
  type: "variable";
  ident: string[];
}

export interface DotNode extends Pos {
  type: "dot";
}

export interface NilNode extends Pos {
  type: "nil";
}

export interface BoolNode extends Pos {
  type: "bool";
  value: boolean;
}

export interface NumberNode extends Pos {
  type: "number";
  /** An int (JS number) or, for float syntax (`1.5`, `1e3`), a float64. */
  value: number | GoFloat;
  text: string;
}

export interface StringNode extends Pos {
  type: "string";
  value: string;
  quoted: string;
}

/** A function name. */
export interface IdentifierNode extends Pos {
  type: "identifier";
  name: string;
}

/** `(pipeline).A.B` */
export interface ChainNode extends Pos {
  type: "chain";
  node: ArgNode;
  field: string[];
}
