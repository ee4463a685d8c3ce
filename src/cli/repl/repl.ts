// The interactive loop of `herd run` (ollama-spec §3.1): reads lines, assembles """ multi-line input,
// runs slash commands and sends everything else as a chat turn.

import type { ShowResponse } from "../../api/types.js";
import { renderShow } from "../commands/show.js";
import { table } from "../format.js";
import { chatTurn, preload, replayMessages, type TurnIO } from "./chat-turn.js";
import { type Command, HELP, HELP_SET, HELP_SHORTCUTS, HELP_SHOW, parseCommand } from "./commands.js";
import { InputReader } from "./input.js";
import { attachImages, extractFileNames } from "../attach-images.js";
import type { ChatSession } from "./session.js";

export const PLACEHOLDER = "Send a message (/? for help)";

export interface ReplIO extends TurnIO {
  stdin: NodeJS.ReadableStream;
  /** History file, or undefined when history is off (OLLAMA_NOHISTORY). */
  historyFile?: string;
}

export async function runRepl(io: ReplIO, session: ChatSession, info: ShowResponse): Promise<void> {
  replayMessages(io, session, info.messages);
  const input = new InputReader({ input: io.stdin, output: io.stdout, historyFile: io.historyFile });
  session.settings.history = io.historyFile !== undefined;
  let buf = "";
  let multi: "none" | "prompt" | "system" = "none";
  try {
    for (;;) {
      const r = await input.read(multi === "none" ? ">>> " : "... ", multi === "none" ? PLACEHOLDER : "");
      if (r.kind === "eof") {
        io.stdout.write("\n");
        return;
      }
      if (r.kind === "interrupt") {
        if (!r.text) io.stdout.write("Use Ctrl + d or /bye to exit.\n\n");
        buf = "";
        multi = "none";
        continue;
      }
      const line = r.text;
      if (multi !== "none") {
        const closed = line.endsWith('"""');
        buf += closed ? line.slice(0, -3) : line + "\n";
        if (!closed) continue;
        const was = multi;
        multi = "none";
        if (was === "system") {
          session.setSystem(buf);
          io.stdout.write("Set system message.\n");
          buf = "";
          continue;
        }
      } else if (line.startsWith('"""')) {
        const rest = line.slice(3);
        if (rest.length >= 3 && rest.endsWith('"""')) buf += rest.slice(0, -3);
        else {
          buf += rest + "\n";
          multi = "prompt";
          continue;
        }
      } else if (line.trimStart().startsWith("/") && !isFilePathLine(session, line)) {
        const cmd = parseCommand(line);
        if (cmd.kind === "set-system" && cmd.multiline) {
          buf = cmd.text + "\n";
          multi = "system";
          continue;
        }
        if ((await runCommandLine(io, input, session, cmd)) === "exit") return;
        continue;
      } else {
        buf += line;
      }
      if (buf) {
        const content = buf;
        buf = "";
        await turn(io, input, session, content);
      }
    }
  } finally {
    input.close();
  }
}

async function turn(io: ReplIO, input: InputReader, session: ChatSession, content: string): Promise<void> {
  const ac = new AbortController();
  input.onInterruptDuring(() => ac.abort());
  try {
    let images: string[] | undefined;
    if (session.settings.multimodal) ({ prompt: content, images } = await attachImages(content, (l) => io.stderr.write(l)));
    await chatTurn(io, session, content, ac.signal, images);
  } catch (e) {
    io.stderr.write(`Error: ${(e as Error).message}\n`);
  } finally {
    input.onInterruptDuring(undefined);
  }
}

/** On a multimodal model a line starting with a file path is a message, not a slash command (Ollama's rule). */
function isFilePathLine(session: ChatSession, line: string): boolean {
  if (!session.settings.multimodal) return false;
  const first = line.trim().split(/\s+/)[0] ?? "";
  return extractFileNames(line).some((f) => f.startsWith(first));
}

async function runCommandLine(io: ReplIO, input: InputReader, session: ChatSession, cmd: Command): Promise<"exit" | void> {
  const out = (s: string) => io.stdout.write(s);
  const s = session.settings;
  switch (cmd.kind) {
    case "exit":
      return "exit";
    case "message":
      out(cmd.text);
      return;
    case "help":
      out(cmd.topic === "set" ? HELP_SET : cmd.topic === "show" ? HELP_SHOW : cmd.topic === "shortcuts" ? HELP_SHORTCUTS : HELP);
      return;
    case "clear":
      session.clear();
      out("Cleared session context\n");
      return;
    case "set-parameter":
      session.setParameter(cmd.name, cmd.value);
      out(`Set parameter '${cmd.name}' to '${Array.isArray(cmd.value) ? cmd.value.join(", ") : String(cmd.value)}'\n`);
      return;
    case "set-system":
      session.setSystem(cmd.text);
      out("Set system message.\n");
      return;
    case "set-format":
      s.format = "json";
      out("Set format to 'json' mode.\n");
      return;
    case "set-think":
      s.think = cmd.think;
      out(cmd.think === true ? "Set 'think' mode.\n" : `Set 'think' mode to '${cmd.think}'.\n`);
      return;
    case "set-flag":
      setFlag(session, input, cmd.flag);
      out(cmd.flag === "noformat" ? "Disabled format.\n" : `Set '${cmd.flag}' mode.\n`);
      return;
    case "show":
      await show(io, session, cmd.what);
      return;
    case "list": {
      const { models } = await io.client.list();
      const rows = models.filter((m) => !cmd.prefix || m.name.toLowerCase().startsWith(cmd.prefix.toLowerCase())).map((m) => [m.name]);
      out(table(["NAME"], rows) + "\n");
      return;
    }
    case "load":
      return load(io, session, cmd.model);
    case "save":
      try {
        for await (const _ of io.client.create(session.saveRequest(cmd.model))) {
          // progress lines are not shown for a save
        }
        out(`Created new model '${cmd.model}'\n`);
      } catch (e) {
        out(`error: ${(e as Error).message}\n`);
      }
      return;
  }
}

function setFlag(session: ChatSession, input: InputReader, flag: string): void {
  const s = session.settings;
  if (flag === "history" || flag === "nohistory") {
    s.history = flag === "history";
    input.saveHistory = s.history;
  } else if (flag === "wordwrap" || flag === "nowordwrap") s.wordWrap = flag === "wordwrap";
  else if (flag === "verbose" || flag === "quiet") s.verbose = flag === "verbose";
  else if (flag === "noformat") s.format = undefined;
  else if (flag === "nothink") s.think = false;
}

async function show(io: ReplIO, session: ChatSession, what: string): Promise<void> {
  const out = (s: string) => io.stdout.write(s);
  let info: ShowResponse;
  try {
    info = await io.client.show({ model: session.model });
  } catch (e) {
    out(`error: couldn't get model: ${(e as Error).message}\n`);
    return;
  }
  switch (what) {
    case "info":
      out(renderShow(info));
      return;
    case "license":
      out(info.license ? info.license + "\n" : "No license was specified for this model.\n");
      return;
    case "modelfile":
      out((info.modelfile ?? "") + "\n");
      return;
    case "system": {
      const sys = session.system ?? info.system;
      out(sys ? sys + "\n" : "No system message was specified for this model.\n");
      return;
    }
    case "template":
      out(info.template ? info.template + "\n" : "No prompt template was specified for this model.\n");
      return;
    case "parameters": {
      const user = Object.entries(session.options);
      if (user.length) {
        const w = Math.max(...user.map(([k]) => k.length));
        out("User defined parameters:\n" + user.map(([k, v]) => `${k.padEnd(w)} ${Array.isArray(v) ? v.join(" ") : String(v)}`).join("\n") + "\n\n");
      }
      out(info.parameters ? "Model defined parameters:\n" + info.parameters + "\n" : user.length ? "" : "No parameters were specified for this model.\n");
      return;
    }
  }
}

async function load(io: ReplIO, session: ChatSession, model: string): Promise<void> {
  io.stdout.write(`Loading model '${model}'\n`);
  let info: ShowResponse;
  try {
    info = await io.client.show({ model });
  } catch (e) {
    io.stdout.write(`error: ${(e as Error).message}\n`);
    return;
  }
  const previous = session.model;
  session.switchModel(model);
  try {
    await preload(io, session);
  } catch (e) {
    session.switchModel(previous);
    io.stdout.write(`error: ${(e as Error).message}\n`);
    return;
  }
  replayMessages(io, session, info.messages);
}

