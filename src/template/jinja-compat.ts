// Python/Jinja features real chat templates use that @huggingface/jinja 0.5 lacks, added to its
// runtime classes once: list.append/pop/insert/extend, str.format, the `min`/`max` filters, `string`
// on dicts (Python repr), and tuples that unpack in `for a, b in [("x", "y")]` (the library only
// unpacks lists). The classes are not exported, so they are reached through values the public
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

  const proto = Interpreter.prototype as unknown as {
    evaluate(node: { type: string; value?: unknown }, env: unknown): RuntimeValue;
    applyFilter(operand: RuntimeValue, filter: { type: string; value?: unknown }, env: unknown): RuntimeValue;
  };

  const evaluate = proto.evaluate;
  proto.evaluate = function (node, scope) {
    if (node?.type === "TupleLiteral") {
      return new ArrayValue((node.value as { type: string }[]).map((x) => this.evaluate(x, scope)));
    }
    return evaluate.call(this, node, scope);
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
