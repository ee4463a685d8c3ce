// The command table (ollama-spec §3). Every command but `serve` is an HTTP client of the server.

import { Command, Option } from "commander";
import { ApiError, ConnectionError } from "../api/client.js";
import { envHelp } from "../config/env.js";
import { VERSION } from "../config/version.js";
import { copyCommand, listCommand, psCommand, removeCommand, stopCommand } from "./commands/manage.js";
import { showCommand } from "./commands/show.js";
import { makeContext, ServerDownError } from "./context.js";

/**
 * A reader that stops early (`herd run … | head`) closes the pipe under stdout. The CLI then ends at once, with
 * the status of a process killed by SIGPIPE (128 + 13), as Ollama's does, instead of an unhandled EPIPE.
 */
export function exitOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => void = process.exit): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    exit(141);
  });
}

export async function main(argv: string[]): Promise<void> {
  exitOnClosedPipe(process.stdout);
  const ctx = makeContext();
  const program = new Command("herd")
    .description("Large language model runner (Ollama-compatible)")
    .option("-v, --version", "Show version information")
    .allowExcessArguments(false)
    .configureOutput({ outputError: (str, write) => write(str) })
    .action(async (opts) => {
      if (opts.version) return versionCommand(ctx);
      program.help();
    });

  program
    .command("serve")
    .alias("start")
    .description("Start herd")
    .addHelpText("after", `\nEnvironment Variables:\n${envHelp()}\n`)
    .action(async () => {
      const { serve } = await import("../server/main.js");
      await serve(process.env);
    });

  program
    .command("create")
    .description("Create a model from a Modelfile")
    .argument("<model>")
    .option("-f, --file <path>", "Name of the Modelfile (default \"Modelfile\")")
    .option("-q, --quantize <type>", "Quantize model to this level (e.g. q4_K_M)")
    .action(async (model, opts) => {
      const { createCommand } = await import("./commands/create.js");
      await createCommand(ctx, model, opts);
    });

  program
    .command("show")
    .description("Show information for a model")
    .argument("<model>")
    .option("--license", "Show license of a model")
    .option("--modelfile", "Show Modelfile of a model")
    .option("--parameters", "Show parameters of a model")
    .option("--template", "Show template of a model")
    .option("--system", "Show system message of a model")
    .option("-v, --verbose", "Show detailed model information")
    .action((model, opts) => showCommand(ctx, model, opts));

  program
    .command("run")
    .description("Run a model")
    .argument("<model>")
    .argument("[prompt...]")
    .option("--keepalive <duration>", "Duration to keep a model loaded (e.g. 5m)")
    .option("--verbose", "Show timings for response")
    .option("--insecure", "Use an insecure registry")
    .option("--nowordwrap", "Don't wrap words to the next line automatically")
    .option("--format <format>", "Response format (e.g. json)")
    .addOption(new Option("--think [level]", "Enable thinking mode: true/false or high/medium/low"))
    .option("--hidethinking", "Hide thinking output (if provided)")
    .option("--truncate", "For embedding models: truncate inputs that exceed the context length")
    .option("--dimensions <n>", "Truncate output embeddings to specified dimension (embedding models only)")
    .action(async (model, prompt, opts) => {
      const { runCommand } = await import("./commands/run.js");
      await runCommand(ctx, model, prompt, opts);
    });

  program.command("stop").description("Stop a running model").argument("<model>").action((m) => stopCommand(ctx, m));

  program
    .command("pull")
    .description("Pull a model from a registry")
    .argument("<model>")
    .option("--insecure", "Use an insecure registry")
    .action(async (model, opts) => {
      const { pullCommand } = await import("./commands/transfer.js");
      await pullCommand(ctx, model, opts);
    });

  program
    .command("push")
    .description("Push a model to a registry")
    .argument("<model>")
    .option("--insecure", "Use an insecure registry")
    .action(async (model, opts) => {
      const { pushCommand } = await import("./commands/transfer.js");
      await pushCommand(ctx, model, opts);
    });

  program.command("list").alias("ls").description("List models").argument("[prefix]").action((p) => listCommand(ctx, p));
  program.command("ps").description("List running models").action(() => psCommand(ctx));
  program.command("cp").description("Copy a model").argument("<source>").argument("<destination>").action((s, d) => copyCommand(ctx, s, d));
  program.command("rm").description("Remove a model").argument("<model...>").action((names) => removeCommand(ctx, names));

  try {
    await program.parseAsync(argv);
  } catch (e) {
    // Commands skip a separate heartbeat: a refused connection on their first request says the same.
    const err = e instanceof ConnectionError ? new ServerDownError(ctx.baseUrl) : e;
    const msg = err instanceof ApiError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`Error: ${msg}\n`);
    process.exitCode = 1;
  }
}

async function versionCommand(ctx: ReturnType<typeof makeContext>): Promise<void> {
  try {
    const v = await ctx.client.version();
    ctx.stdout.write(`herd version is ${v}\n`);
    if (v !== VERSION) ctx.stdout.write(`Warning: client version is ${VERSION}\n`);
  } catch {
    ctx.stdout.write(`Warning: could not connect to a running herd instance\nWarning: client version is ${VERSION}\n`);
  }
}
