// `herd list|ls`, `ps`, `cp`, `rm`, `stop`: thin clients of the REST API with Ollama's output.

import { ApiError } from "../../api/client.js";
import { shortDigest } from "../../name/index.js";
import { humanBytes } from "../../util/bytes.js";
import type { CliContext } from "../context.js";
import { humanTimeAgo, humanTimeFromNow, table } from "../format.js";

export async function listCommand(ctx: CliContext, prefix?: string): Promise<void> {
  const { models } = await ctx.client.list();
  const rows = models
    .filter((m) => !prefix || m.name.toLowerCase().startsWith(prefix.toLowerCase()))
    .map((m) => [m.name, shortDigest(m.digest), humanBytes(m.size), humanTimeAgo(new Date(m.modified_at))]);
  ctx.stdout.write(table(["NAME", "ID", "SIZE", "MODIFIED"], rows) + "\n");
}

export async function psCommand(ctx: CliContext): Promise<void> {
  const { models } = await ctx.client.ps();
  const rows = models.map((m) => {
    let processor = "Unknown";
    if (m.size > 0) {
      if (m.size_vram === 0) processor = "100% CPU";
      else if (m.size_vram >= m.size) processor = "100% GPU";
      else {
        const cpu = Math.round(((m.size - m.size_vram) / m.size) * 100);
        processor = `${cpu}%/${100 - cpu}% CPU/GPU`;
      }
    }
    return [m.name, shortDigest(m.digest), humanBytes(m.size), processor, String(m.context_length), humanTimeFromNow(new Date(m.expires_at))];
  });
  ctx.stdout.write(table(["NAME", "ID", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL"], rows) + "\n");
}

export async function copyCommand(ctx: CliContext, source: string, destination: string): Promise<void> {
  await ctx.client.copy({ source, destination });
  ctx.stdout.write(`copied '${source}' to '${destination}'\n`);
}

export async function removeCommand(ctx: CliContext, names: string[]): Promise<void> {
  for (const name of names) {
    // Unload first so a loaded model does not keep its runner after the files are gone.
    await drain(ctx.client.generate({ model: name, keep_alive: 0 })).catch(() => {});
    await ctx.client.delete(name);
    ctx.stdout.write(`deleted '${name}'\n`);
  }
}

export async function stopCommand(ctx: CliContext, name: string): Promise<void> {
  try {
    await drain(ctx.client.generate({ model: name, keep_alive: 0 }));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw new Error(`couldn't find model "${name}" to stop`);
    throw e;
  }
}

async function drain(it: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of it) {
    // consume
  }
}
