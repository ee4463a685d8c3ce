// Python/Jinja features real chat templates use that @huggingface/jinja 0.5 lacks, added to its
// runtime classes once: list.append/pop/insert/extend, str.format, the `min`/`max` filters, `string`
// on dicts (Python repr), tuples that unpack in `for a, b in [("x", "y")]` (the library only
// unpacks lists), and dicts with integer keys (`{512: 128}`, `d[512]`, `d | dictsort`). The classes are not exported, so they are reached through values the public
// Environment creates. Everything here only adds behavior where the library would throw.

import { Environment, Interpreter } from "@huggingface/jinja";

interface RuntimeValue {
  type: string;
  value: unknown;
}
type Ctor = new (value?: unknown) => RuntimeValue;

let installed = false;

/** `instanceof` without narrowing: every runtime class has the same structural type here. */
function isA(v: unknown, cls: Ctor): boolean {
  return v instanceof cls;
}

export function installJinjaCompat(): void {
  if (installed) return;
  installed = true;
  const env = new Environment();
  const ctor = (v: unknown): Ctor => (Object.getPrototypeOf(env.set(`_${Math.random()}`, v)) as { constructor: Ctor }).constructor;
  const ArrayValue = ctor([]);
  const StringValue = ctor("");
  const ObjectValue = ctor({});
  const NullValue = ctor(null);
  const IntegerValue = ctor(1);
  const UndefinedValue = ctor(undefined);
  const FunctionValue = (env as unknown as { variables: Map<string, RuntimeValue> }).variables.get("namespace")!
    .constructor as new (fn: (args: RuntimeValue[]) => RuntimeValue) => RuntimeValue;

  const addBuiltins = (cls: Ctor, extra: (self: RuntimeValue) => [string, RuntimeValue][]): void => {
    const desc = Object.getOwnPropertyDescriptor(cls.prototype, "builtins")!;
    Object.defineProperty(cls.prototype, "builtins", {
      configurable: true,
      get(this: RuntimeValue) {
        const map = desc.get!.call(this) as Map<string, RuntimeValue>;
        for (const [k, v] of extra(this)) if (!map.has(k)) map.set(k, v);
        return map;
      },
    });
  };

  const fn = (f: (args: RuntimeValue[]) => RuntimeValue) => new FunctionValue(f);
  const positional = (args: RuntimeValue[]) => args.filter((a) => a.type !== "KeywordArgumentsValue");

  addBuiltins(ArrayValue, (self) => {
    const list = self.value as RuntimeValue[];
    return [
      ["append", fn(([x]) => (list.push(x!), new NullValue()))],
      ["extend", fn(([x]) => (list.push(...((x?.value as RuntimeValue[]) ?? [])), new NullValue()))],
      ["insert", fn(([i, x]) => (list.splice(Number(i!.value), 0, x!), new NullValue()))],
      [
        "pop",
        fn((args) => {
          const [i] = positional(args);
          const idx = i ? Number(i.value) : list.length - 1;
          const at = idx < 0 ? list.length + idx : idx;
          if (at < 0 || at >= list.length) throw new Error("pop index out of range");
          return list.splice(at, 1)[0]!;
        }),
      ],
    ];
  });

  addBuiltins(StringValue, (self) => [
    [
      "format",
      fn((args) => {
        const values = positional(args);
        let next = 0;
        return new StringValue(
          String(self.value).replace(/\{(\d*)\}/g, (_m, n: string) => {
            const v = values[n === "" ? next++ : Number(n)];
            return v === undefined ? "" : String(v.value);
          }),
        );
      }),
    ],
  ]);

  type Node = { type: string; value?: unknown; computed?: boolean; object?: Node; property?: Node };
  const proto = Interpreter.prototype as unknown as {
    evaluate(node: Node, env: unknown): RuntimeValue;
    applyFilter(operand: RuntimeValue, filter: Node, env: unknown): RuntimeValue;
    evaluateMemberExpression(expr: Node, env: unknown): RuntimeValue;
  };

  const evaluate = proto.evaluate;
  proto.evaluate = function (node, scope) {
    if (node?.type === "TupleLiteral") {
      return new ArrayValue((node.value as Node[]).map((x) => this.evaluate(x, scope)));
    }
    if (node?.type === "ObjectLiteral") {
      const map = new Map<string | number, RuntimeValue>();
      for (const [k, v] of node.value as Iterable<[Node, Node]>) {
        const key = this.evaluate(k, scope);
        if (!isA(key, StringValue) && typeof key.value !== "number") {
          throw new Error(`Object keys must be strings: got ${key.type}`);
        }
        map.set(key.value as string | number, this.evaluate(v, scope));
      }
      return new ObjectValue(map);
    }
    return evaluate.call(this, node, scope);
  };

  const member = proto.evaluateMemberExpression;
  proto.evaluateMemberExpression = function (expr, scope) {
    try {
      return member.call(this, expr, scope);
    } catch (e) {
      if (!expr.computed || !/non-string: got (Integer|Float)Value/.test((e as Error).message)) throw e;
      const object = this.evaluate(expr.object!, scope);
      const key = this.evaluate(expr.property!, scope);
      return (object.value as Map<unknown, RuntimeValue>).get(key.value) ?? new UndefinedValue();
    }
  };

  const applyFilter = proto.applyFilter;
  proto.applyFilter = function (operand, filter, scope) {
    const name = filter.type === "Identifier" ? (filter.value as string) : undefined;
    if ((name === "min" || name === "max") && isA(operand, ArrayValue)) {
      const items = operand.value as RuntimeValue[];
      if (items.length === 0) return new NullValue();
      return items.reduce((best, x) =>
        (name === "min" ? (x.value as number) < (best.value as number) : (x.value as number) > (best.value as number)) ? x : best,
      );
    }
    if (name === "string" && isA(operand, ObjectValue)) return new StringValue(pyRepr(operand));
    if (name === "dictsort" && isA(operand, ObjectValue)) {
      const entries = [...(operand.value as Map<string | number, RuntimeValue>).entries()];
      if (entries.some(([k]) => typeof k === "number")) {
        entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const key = (k: string | number) => (typeof k === "number" ? new IntegerValue(k) : new StringValue(k));
        return new ArrayValue(entries.map(([k, v]) => new ArrayValue([key(k), v])));
      }
    }
    return applyFilter.call(this, operand, filter, scope);
  };

  function pyRepr(v: RuntimeValue): string {
    if (isA(v, StringValue)) return "'" + String(v.value).replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n") + "'";
    if (isA(v, ArrayValue)) return "[" + (v.value as RuntimeValue[]).map(pyRepr).join(", ") + "]";
    if (isA(v, ObjectValue)) {
      const entries = [...(v.value as Map<string, RuntimeValue>).entries()];
      return "{" + entries.map(([k, x]) => `'${k}': ${pyRepr(x)}`).join(", ") + "}";
    }
    if (v.type === "BooleanValue") return v.value ? "True" : "False";
    if (v.type === "NullValue" || v.type === "UndefinedValue") return "None";
    return String(v.value);
  }
}
