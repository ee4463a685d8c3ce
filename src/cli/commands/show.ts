// `herd show MODEL` with Ollama's sections, or one raw field with --modelfile/--parameters/… (§3).

import type { ShowResponse } from "../../api/types.js";
import type { CliContext } from "../context.js";

export interface ShowFlags {
  license?: boolean;
  modelfile?: boolean;
  parameters?: boolean;
  system?: boolean;
  template?: boolean;
  verbose?: boolean;
}

function section(title: string, rows: string[][]): string {
  if (!rows.length) return "";
  const w = rows[0].length > 1 ? Math.max(...rows.map((r) => r[0].length)) : 0;
  const body = rows.map((r) => "    " + (r.length > 1 ? r[0].padEnd(w + 4) + r.slice(1).join("    ") : r[0]).trimEnd()).join("\n");
  return `  ${title}\n${body}\n\n`;
}

function firstLines(text: string): string[][] {
  const lines = text.trim().split("\n");
  const rows = lines.slice(0, 2).map((l) => [l]);
  if (lines.length > 2) rows.push(["..."]);
  return rows;
}

export function renderShow(r: ShowResponse, verbose = false): string {
  const info = r.model_info ?? {};
  const arch = String(info["general.architecture"] ?? r.details.family ?? "");
  const modelRows: string[][] = [["architecture", arch], ["parameters", r.details.parameter_size]];
  const ctx = info[`${arch}.context_length`];
  if (ctx !== undefined) modelRows.push(["context length", String(ctx)]);
  const emb = info[`${arch}.embedding_length`];
  if (emb !== undefined) modelRows.push(["embedding length", String(emb)]);
  modelRows.push(["quantization", r.details.quantization_level]);
  if (r.requires) modelRows.push(["requires", r.requires]);
  let out = section("Model", modelRows.filter((row) => row[1] !== ""));
  out += section("Capabilities", (r.capabilities ?? []).map((c) => [c]));
  if (r.projector_info && Object.keys(r.projector_info).length) {
    const p = r.projector_info;
    out += section("Projector", [["architecture", String(p["general.architecture"] ?? "")]]);
  }
  if (r.parameters) {
    out += section("Parameters", r.parameters.trim().split("\n").map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l.trim());
      return m ? [m[1], m[2]] : [l];
    }));
  }
  if (r.system) out += section("System", firstLines(r.system));
  if (r.license) out += section("License", firstLines(r.license));
  if (verbose) {
    out += section("Metadata", Object.entries(info).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    out += section("Tensors", (r.tensors ?? []).map((t) => [t.name, t.type, `[${t.shape.join(" ")}]`]));
  }
  return out;
}

export async function showCommand(ctx: CliContext, name: string, flags: ShowFlags): Promise<void> {
  const chosen = (["license", "modelfile", "parameters", "system", "template"] as const).filter((f) => flags[f]);
  if (chosen.length > 1) throw new Error("only one of '--license', '--modelfile', '--parameters', '--system', or '--template' can be specified");
  const r = await ctx.client.show({ model: name, verbose: flags.verbose });
  if (chosen.length === 1) {
    const value = r[chosen[0]] ?? "";
    ctx.stdout.write(value.endsWith("\n") || value === "" ? value : value + "\n");
    return;
  }
  ctx.stdout.write(renderShow(r, flags.verbose));
}
