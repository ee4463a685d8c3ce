// Executor for parsed Go templates, following text/template's exec.go: variable scoping, pipelines
// passing their value as the final argument, lazy and/or, range over slices/maps/ints with
// break/continue, with/if truthiness, template invocation without dynamic scope, missingkey=zero.

import type { ArgNode, ChainNode, CommandNode, ListNode, Node, PipeNode, Pos, RangeNode } from "./ast.js";
import { TemplateError } from "./errors.js";
import { BUILTINS, FuncError } from "./funcs.js";
import { formatValue, GoStruct, isMap, isTrue, sortedKeys, typeName } from "./values.js";

/** "No final argument" — distinct from nil. */
const MISSING = Symbol("missing");
const BREAK = Symbol("break");
const CONTINUE = Symbol("continue");
const MAX_DEPTH = 1000;

export interface Executable {
  root: ListNode;
  defines: Map<string, ListNode>;
}

interface Variable {
  name: string;
  value: unknown;
}

export function execute(tpl: Executable, data: unknown): string {
  const s = new State(tpl, "", [{ name: "$", value: data }], 0);
  s.walk(data, tpl.root);
  return s.out;
}

class State {
  out = "";
  private at: Pos & { src?: string } = { line: 1, col: 1 };

  constructor(
    private readonly tpl: Executable,
    private readonly name: string,
    private vars: Variable[],
    private readonly depth: number,
  ) {}

  private error(msg: string): never {
    const where = this.at.src !== undefined ? ` at <${this.at.src}>` : "";
    throw new TemplateError(`template: ${this.name}:${this.at.line}:${this.at.col}: executing "${this.name}"${where}: ${msg}`);
  }

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return this.error(`undefined variable: ${name}`);
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.error(`undefined variable: ${name}`);
  }

  walk(dot: unknown, list: ListNode): void {
    for (const n of list.nodes) this.walkNode(dot, n);
  }

  private walkNode(dot: unknown, node: Node): void {
    switch (node.type) {
      case "text":
        this.out += node.text;
        return;
      case "action": {
        // Variables declared by an action live until the enclosing {{end}}.
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.out += val === null || val === undefined ? "<no value>" : formatValue(val);
        return;
      }
      case "if":
      case "with": {
        const mark = this.mark();
        const val = this.evalPipeline(dot, node.pipe);
        if (isTrue(val)) this.walk(node.type === "with" ? val : dot, node.list);
        else if (node.elseList) this.walk(dot, node.elseList);
        this.pop(mark);
        return;
      }
      case "range":
        this.walkRange(dot, node);
        return;
      case "template": {
        const body = this.tpl.defines.get(node.name);
        this.at = { line: node.line, col: node.col, src: `template "${node.name}"` };
        if (!body) this.error(`template ${JSON.stringify(node.name)} not defined`);
        if (this.depth >= MAX_DEPTH) this.error(`exceeded maximum template depth (${MAX_DEPTH})`);
        const newDot = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
        const sub = new State(this.tpl, node.name, [{ name: "$", value: newDot }], this.depth + 1);
        sub.walk(newDot, body);
        this.out += sub.out;
        return;
      }
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
    }
  }

  private walkRange(dot: unknown, r: RangeNode): void {
    const outer = this.mark();
    const val = this.evalPipeline(dot, r.pipe);
    const mark = this.mark();
    const decl = r.pipe.decl;
    const one = (index: unknown, elem: unknown): boolean => {
      if (decl.length > 0) {
        if (r.pipe.isAssign) this.setVar(decl[0]!, decl.length > 1 ? index : elem);
        else this.vars[mark - 1]!.value = elem;
      }
      if (decl.length > 1) {
        if (r.pipe.isAssign) this.setVar(decl[1]!, elem);
        else this.vars[mark - 2]!.value = index;
      }
      try {
        this.walk(elem, r.list);
      } catch (e) {
        if (e === BREAK) return false;
        if (e !== CONTINUE) throw e;
      } finally {
        this.pop(mark);
      }
      return true;
    };
    let ranged = false;
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) {
        ranged = true;
        if (!one(i, val[i])) break;
      }
    } else if (isMap(val)) {
      for (const k of sortedKeys(val)) {
        ranged = true;
        if (!one(k, val[k])) break;
      }
    } else if (typeof val === "number" && Number.isInteger(val)) {
      if (decl.length > 1) this.error(`can't use ${val} to iterate over more than one variable`);
      for (let i = 0; i < val; i++) {
        ranged = true;
        if (!one(i, i)) break;
      }
    } else if (val !== null && val !== undefined) {
      this.at = { line: r.line, col: r.col };
      this.error(`range can't iterate over ${formatValue(val)}`);
    }
    if (!ranged && r.elseList) this.walk(dot, r.elseList);
    this.pop(outer);
  }

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: unknown): unknown {
    const first = cmd.args[0]!;
    this.at = { line: cmd.line, col: cmd.col, src: cmd.src };
    switch (first.type) {
      case "field":
        return this.evalFieldChain(dot, dot, first.ident, cmd.args, final);
      case "chain":
        return this.evalChain(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first.name, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable": {
        const value = this.varValue(first.ident[0]!);
        if (first.ident.length === 1) {
          this.notAFunction(cmd.args, final);
          return value;
        }
        return this.evalFieldChain(dot, value, first.ident.slice(1), cmd.args, final);
      }
    }
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
      case "number":
      case "string":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        return this.error("nil is not a command");
    }
  }

  private notAFunction(args: ArgNode[], final: unknown): void {
    if (args.length > 1 || final !== MISSING) this.error(`can't give argument to non-function ${argText(args[0]!)}`);
  }

  private evalChain(dot: unknown, chain: ChainNode, args: ArgNode[], final: unknown): unknown {
    if (chain.node.type === "nil") this.error(`indirection through explicit nil in ${argText(chain)}`);
    const receiver = this.evalArg(dot, chain.node);
    return this.evalFieldChain(dot, receiver, chain.field, args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, ident: string[], args: ArgNode[], final: unknown): unknown {
    let cur = receiver;
    for (let i = 0; i < ident.length - 1; i++) cur = this.evalField(dot, ident[i]!, [], MISSING, cur);
    return this.evalField(dot, ident[ident.length - 1]!, args, final, cur);
  }

  private evalField(dot: unknown, name: string, args: ArgNode[], final: unknown, receiver: unknown): unknown {
    if (receiver === undefined) return undefined;
    if (receiver === null) this.error(`nil pointer evaluating interface {}.${name}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    if (receiver instanceof GoStruct) {
      if (!receiver.has(name)) this.error(`can't evaluate field ${name} in type ${typeName(receiver)}`);
      const field = receiver.fields[name];
      if (typeof field === "function") return this.evalCall(dot, field as (...a: unknown[]) => unknown, name, args, final);
      if (hasArgs) this.error(`${name} has arguments but cannot be invoked as function`);
      return field;
    }
    if (isMap(receiver)) {
      if (hasArgs) this.error(`${name} is not a method but has arguments`);
      return Object.prototype.hasOwnProperty.call(receiver, name) ? receiver[name] : null;
    }
    return this.error(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private evalArgs(dot: unknown, args: ArgNode[], final: unknown): unknown[] {
    const vals: unknown[] = [];
    for (let i = 1; i < args.length; i++) vals.push(this.evalArg(dot, args[i]!));
    if (final !== MISSING) vals.push(final);
    return vals;
  }

  private evalCall(dot: unknown, fn: (...a: unknown[]) => unknown, name: string, args: ArgNode[], final: unknown): unknown {
    const vals = this.evalArgs(dot, args, final);
    try {
      return fn(...vals);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      return this.error(`error calling ${name}: ${(e as Error).message}`);
    }
  }

  private evalFunction(dot: unknown, name: string, args: ArgNode[], final: unknown): unknown {
    const given = args.length - 1 + (final !== MISSING ? 1 : 0);
    if (name === "and" || name === "or") {
      if (given < 1) this.error(`wrong number of args for ${name}: want at least 1 got 0`);
      let v: unknown;
      for (let i = 1; i < args.length; i++) {
        v = this.evalArg(dot, args[i]!);
        if (isTrue(v) === (name === "or")) return v;
      }
      return final !== MISSING ? final : v;
    }
    const f = BUILTINS[name];
    if (!f) return this.error(`${JSON.stringify(name)} is not a defined function`);
    if (given < f.minArgs || (f.maxArgs !== undefined && given > f.maxArgs)) {
      const want = f.maxArgs === undefined ? `at least ${f.minArgs}` : `${f.minArgs}`;
      this.error(`wrong number of args for ${name}: want ${want} got ${given}`);
    }
    const vals = this.evalArgs(dot, args, final);
    try {
      return f.fn(...vals);
    } catch (e) {
      if (e instanceof FuncError) this.error(`error calling ${name}: ${e.message}`);
      throw e;
    }
  }

  private evalArg(dot: unknown, n: ArgNode): unknown {
    switch (n.type) {
      case "dot":
        return dot;
      case "nil":
        return null;
      case "field":
        return this.evalFieldChain(dot, dot, n.ident, [n], MISSING);
      case "variable": {
        const value = this.varValue(n.ident[0]!);
        return n.ident.length === 1 ? value : this.evalFieldChain(dot, value, n.ident.slice(1), [n], MISSING);
      }
      case "pipe":
        return this.evalPipeline(dot, n);
      case "identifier":
        return this.evalFunction(dot, n.name, [n], MISSING);
      case "chain":
        return this.evalChain(dot, n, [n], MISSING);
      case "bool":
      case "number":
      case "string":
        return n.value;
    }
  }
}

function argText(n: ArgNode): string {
  switch (n.type) {
    case "field":
      return "." + n.ident.join(".");
    case "variable":
      return n.ident.join(".");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return String(n.value);
    case "number":
      return n.text;
    case "string":
      return n.quoted;
    case "identifier":
      return n.name;
    case "chain":
      return `(${argText(n.node)}).${n.field.join(".")}`;
    case "pipe":
      return "(pipeline)";
  }
}
