// The interactive side of `herd run` (ollama-spec §3.1), plus the output pieces the one-shot path shares.
//
//   runRepl(io, session, info)      the >>> loop: """ multi-line input, /commands, chat turns, history
//   ChatSession                     conversation state; builds /api/chat and /save (/api/create) requests
//   chatTurn / preload / replayMessages   one streamed exchange; the empty-generate load; Modelfile MESSAGEs
//   parseCommand(line)              "/set parameter temperature 0" → a typed Command (pure)
//   ResponseRenderer, wrapWidthFor  thinking framing + word-wrapped streaming output
//   WordWrapper                     streaming word wrap
//   formatStats(metrics)            `--verbose` timings exactly as Ollama prints them
//   InputReader                     node:readline with placeholder, history file and Ctrl+C routing
//
// testing/ holds a scripted fake Ollama server and helpers that spawn the real CLI, for tests only.

export { chatTurn, preload, replayMessages, type TurnIO, type TurnOutcome } from "./chat-turn.js";
export { type Command, parseCommand } from "./commands.js";
export { InputReader, type ReadResult } from "./input.js";
export { ResponseRenderer, wrapWidthFor } from "./renderer.js";
export { PLACEHOLDER, type ReplIO, runRepl } from "./repl.js";
export { ChatSession, type SessionSettings } from "./session.js";
export { formatStats } from "./stats.js";
export { WordWrapper } from "./word-wrap.js";
