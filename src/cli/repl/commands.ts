// Parses a REPL line that starts with "/" into a command. Pure: effects live in repl.ts.

import type { Think } from "../../api/types.js";
import { typeParameter } from "../../modelfile/params.js";

export type SetFlag = "history" | "nohistory" | "wordwrap" | "nowordwrap" | "verbose" | "quiet" | "noformat" | "nothink";
export type ShowWhat = "info" | "license" | "modelfile" | "parameters" | "system" | "template";

export type Command =
  | { kind: "set-parameter"; name: string; value: number | boolean | string[] }
  | { kind: "set-system"; text: string; multiline: boolean }
  | { kind: "set-flag"; flag: SetFlag }
  | { kind: "set-format"; format: "json" }
  | { kind: "set-think"; think: Think }
  | { kind: "show"; what: ShowWhat }
  | { kind: "load"; model: string }
  | { kind: "save"; model: string }
  | { kind: "clear" }
  | { kind: "exit" }
  | { kind: "list"; prefix?: string }
  | { kind: "help"; topic?: string }
  /** Something to print and nothing else (usage, errors). */
  | { kind: "message"; text: string };

const FLAGS = new Set<SetFlag>(["history", "nohistory", "wordwrap", "nowordwrap", "verbose", "quiet", "noformat", "nothink"]);
const SHOW = new Set<ShowWhat>(["info", "license", "modelfile", "parameters", "system", "template"]);
const THINK_LEVELS = new Set(["low", "medium", "high", "max"]);

export const HELP = `Available Commands:
  /set            Set session variables
  /show           Show model information
  /load <model>   Load a session or model
  /save <model>   Save your current session
  /clear          Clear session context
  /bye            Exit
  /?, /help       Help for a command
  /? shortcuts    Help for keyboard shortcuts

Use """ to begin a multi-line message.
`;

export const HELP_SET = `Available Commands:
  /set parameter ...     Set a parameter
  /set system <string>   Set system message
  /set history           Enable history
  /set nohistory         Disable history
  /set wordwrap          Enable wordwrap
  /set nowordwrap        Disable wordwrap
  /set format json       Enable JSON mode
  /set noformat          Disable formatting
  /set verbose           Show LLM stats
  /set quiet             Disable LLM stats
  /set think [level]     Enable thinking (optionally low, medium, high or max)
  /set nothink           Disable thinking
`;

export const HELP_SHOW = `Available Commands:
  /show info         Show details for this model
  /show license      Show model license
  /show modelfile    Show Modelfile for this model
  /show parameters   Show parameters for this model
  /show system       Show system message
  /show template     Show prompt template
`;

export const HELP_SHORTCUTS = `Available keyboard shortcuts:
  Ctrl + a            Move to the beginning of the line (Home)
  Ctrl + e            Move to the end of the line (End)
  Ctrl + k            Delete the sentence after the cursor
  Ctrl + u            Delete the sentence before the cursor
  Ctrl + w            Delete the word before the cursor
  Ctrl + l            Clear the screen
  Ctrl + c            Stop the model from responding
  Ctrl + d            Exit herd (/bye)
`;

export const HELP_PARAMETERS = `Available Parameters:
  /set parameter seed <int>             Random number seed
  /set parameter num_predict <int>      Max number of tokens to predict
  /set parameter top_k <int>            Pick from top k num of tokens
  /set parameter top_p <float>          Pick token based on sum of probabilities
  /set parameter min_p <float>          Pick token based on top token probability * min_p
  /set parameter num_ctx <int>          Set the context size
  /set parameter temperature <float>    Set creativity level
  /set parameter repeat_penalty <float> How strongly to penalize repetitions
  /set parameter repeat_last_n <int>    Set how far back to look for repetitions
  /set parameter num_gpu <int>          The number of layers to send to the GPU
  /set parameter stop <string> <string> ...   Set the stop parameters
`;

export function parseCommand(line: string): Command {
  const trimmed = line.trim();
  const words = trimmed.split(/\s+/);
  const cmd = words[0];
  const args = words.slice(1);
  switch (cmd) {
    case "/bye":
    case "/exit":
      return { kind: "exit" };
    case "/clear":
      return { kind: "clear" };
    case "/list":
      return { kind: "list", prefix: args[0] };
    case "/?":
    case "/help":
      return { kind: "help", topic: args[0] };
    case "/load":
      if (args.length !== 1) return { kind: "message", text: "Usage:\n  /load <modelname>\n" };
      return { kind: "load", model: args[0] };
    case "/save":
      if (args.length !== 1) return { kind: "message", text: "Usage:\n  /save <modelname>\n" };
      return { kind: "save", model: args[0] };
    case "/show":
      if (!args.length) return { kind: "message", text: HELP_SHOW };
      if (SHOW.has(args[0] as ShowWhat)) return { kind: "show", what: args[0] as ShowWhat };
      return { kind: "message", text: `Unknown command '${args[0]}'. Type /? for help\n` };
    case "/set":
      return parseSet(trimmed, args);
    default:
      return { kind: "message", text: `Unknown command '${cmd}'. Type /? for help\n` };
  }
}

function parseSet(trimmed: string, args: string[]): Command {
  if (!args.length) return { kind: "message", text: HELP_SET };
  const [what, ...rest] = args;
  if (what === "parameter") {
    if (rest.length < 2) return { kind: "message", text: HELP_PARAMETERS };
    const [name, ...values] = rest;
    try {
      return { kind: "set-parameter", name, value: typeParameter(name, values) };
    } catch (e) {
      return { kind: "message", text: `Couldn't set parameter: ${JSON.stringify((e as Error).message)}\n` };
    }
  }
  if (what === "system") {
    // Everything after "/set system", spacing preserved; a leading """ opens a multi-line system message.
    let text = trimmed.replace(/^\/set\s+system\s*/, "");
    if (text.startsWith('"""')) {
      text = text.slice(3);
      if (text.endsWith('"""') && text.length >= 3) return { kind: "set-system", text: text.slice(0, -3), multiline: false };
      return { kind: "set-system", text, multiline: true };
    }
    if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) text = text.slice(1, -1);
    return { kind: "set-system", text, multiline: false };
  }
  if (what === "format") {
    if (rest[0] === "json") return { kind: "set-format", format: "json" };
    return { kind: "message", text: `Invalid or missing format. For 'json' mode use '/set format json'\n` };
  }
  if (what === "think") {
    if (!rest.length) return { kind: "set-think", think: true };
    if (THINK_LEVELS.has(rest[0])) return { kind: "set-think", think: rest[0] as Think };
    return { kind: "message", text: `Invalid think level '${rest[0]}'. Use low, medium, high or max\n` };
  }
  if (FLAGS.has(what as SetFlag)) return { kind: "set-flag", flag: what as SetFlag };
  return { kind: "message", text: `Unknown command '/set ${what}'. Type /? for help\n` };
}
