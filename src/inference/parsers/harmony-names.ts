// gpt-oss sees tool names as TypeScript identifiers (the harmony template declares them in a
// `namespace functions`), so names are made identifier-safe for the prompt and mapped back when
// the model calls them (§9).

const BUILTINS = new Set(["browser.open", "browser.search", "browser.find", "python"]);

/** Identifier-safe form of one name: space/`-`/`.` → `_`, other invalid chars dropped, no leading digit. */
export function harmonySafeName(name: string): string {
  if (BUILTINS.has(name)) return name;
  let s = "";
  for (const ch of name) {
    if (ch === " " || ch === "-" || ch === ".") s += "_";
    else if (/[A-Za-z0-9_$]/.test(ch)) s += ch;
  }
  if (/^[0-9]/.test(s)) s = "_" + s;
  return s === "" ? "_" : s;
}

/** Two-way map between the tools' real names and the unique safe names the model sees. */
export class HarmonyToolNames {
  private readonly toSafe = new Map<string, string>();
  private readonly toOriginal = new Map<string, string>();

  constructor(names: readonly string[]) {
    for (const name of names) {
      if (this.toSafe.has(name)) continue;
      const base = harmonySafeName(name);
      let safe = base;
      for (let n = 2; this.toOriginal.has(safe); n++) safe = `${base}_${n}`;
      this.toSafe.set(name, safe);
      this.toOriginal.set(safe, name);
    }
  }

  safe(name: string): string {
    return this.toSafe.get(name) ?? harmonySafeName(name);
  }

  original(safe: string): string {
    return this.toOriginal.get(safe) ?? safe;
  }
}
