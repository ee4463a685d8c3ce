// The REPL driven in a real terminal: tmux runs the real CLI against a scripted fake server; keys go
// in with send-keys, the screen comes back with capture-pane. Needs the `tmux` binary (`npm test` installs it).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { type FakeServer, startFakeOllama } from "./testing/fake-server.js";
import { cliArgv } from "./testing/spawn-cli.js";

const run = promisify(execFile);

/** One tmux server per terminal, on its own socket, so parallel tests never meet. */
class Terminal {
  private readonly socket = `herd-repl-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  async start(env: Record<string, string>, args: string[]): Promise<void> {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const envs = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`);
    const cmd = ["env", ...envs, ...cliArgv().map(quote), ...args.map(quote)].join(" ") + '; echo "[exited $?]"';
    await this.tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "50", cmd, ";", "set-option", "-t", "t", "remain-on-exit", "on");
  }

  tmux(...args: string[]): Promise<{ stdout: string }> {
    return run("tmux", ["-L", this.socket, ...args]);
  }

  async type(text: string): Promise<void> {
    await this.tmux("send-keys", "-t", "t", "-l", text);
    await this.tmux("send-keys", "-t", "t", "Enter");
  }

  async keys(...keys: string[]): Promise<void> {
    await this.tmux("send-keys", "-t", "t", ...keys);
  }

  async screen(): Promise<string> {
    const raw = (await this.tmux("capture-pane", "-p", "-J", "-t", "t", "-S", "-200")).stdout;
    return raw.replace(/[ \t]+$/gm, "");
  }

  /** Waits until the screen matches `re` (generous: the test machines are busy). */
  async waitFor(re: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.screen();
      if (re.test(s)) return s;
      if (Date.now() > deadline) assert.fail(`screen never matched ${re}:\n${s}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The CLI's exit code, which the shell prints after it (tmux's own pane status is not reliable). */
  async exitStatus(timeoutMs = 10_000): Promise<number> {
    const screen = await this.waitFor(/\[exited (\d+)\]/, timeoutMs);
    return Number(/\[exited (\d+)\]/.exec(screen)![1]);
  }

  async kill(): Promise<void> {
    await this.tmux("kill-server").catch(() => {});
  }
}

function chats(fake: FakeServer) {
  return fake.requests.filter((r) => r.path === "/api/chat");
}

describe("herd run (interactive)", { concurrency: 2 }, () => {
  test("chat, /set parameter, multi-line, Ctrl+C during a stream, /bye — with history", async () => {
    const home = mkdtempSync(join(tmpdir(), "herd-repl-"));
    const slow = Array.from({ length: 60 }, (_, i) => ` w${i}`);
    const long = Array.from({ length: 40 }, (_, i) => ` word${i}`);
    const fake = await startFakeOllama({
      models: { tiny: { capabilities: ["completion"] } },
      replies: [{ content: ["Hello", " there!"] }, { content: ["multi", " ok"] }, { content: slow, delayMs: 250 }, { content: ["after", ...long] }],
    });
    const term = new Terminal();
    try {
      await term.start({ HOME: home, OLLAMA_HOST: fake.url, PATH: process.env.PATH ?? "" }, ["run", "tiny"]);
      await term.waitFor(/>>> Send a message \(\/\? for help\)/);
      // The model was loaded before the first prompt, with an empty generate.
      assert.deepEqual(fake.requests.map((r) => r.path), ["/api/show", "/api/generate"]);
      assert.equal(fake.requests[1].body.prompt, undefined);

      await term.type("hi");
      await term.waitFor(/>>> hi\nHello there!\n\n>>> /);
      await term.type("/set parameter temperature 0");
      await term.waitFor(/Set parameter 'temperature' to '0'/);
      await term.type("/x");
      await term.waitFor(/Unknown command '\/x'\. Type \/\? for help/);
      await term.type('"""line one');
      await term.waitFor(/"""line one\n\.\.\.$/m);
      await term.type('line two"""');
      await term.waitFor(/multi ok\n/);

      await term.type("slow");
      await term.waitFor(/ w0 w1 w2/);
      await term.keys("C-c");
      await term.waitFor(/ w2.*\n>>> Send a message/);
      // Ctrl+C on an empty line only explains how to leave.
      await term.keys("C-c");
      await term.waitFor(/Use Ctrl \+ d or \/bye to exit\./);
      await term.type("again");
      const screen = await term.waitFor(/>>> again\nafter[^]*word39\n/);
      // Word wrap: the 100-column terminal wraps 5 short of its edge, between words.
      const answer = screen.slice(screen.indexOf(">>> again\n") + 10, screen.indexOf("word39") + 6).split("\n");
      assert.ok(answer.length > 1 && answer.every((l) => l.length <= 95), answer.join("|"));
      assert.equal(answer.join(" "), "after" + long.join(""));
      await term.type("/bye");
      assert.equal(await term.exitStatus(), 0);

      const c = chats(fake);
      assert.equal(c.length, 4);
      assert.deepEqual(c[0].body.messages, [{ role: "user", content: "hi" }]);
      assert.equal(c[0].body.options, undefined);
      assert.deepEqual(c[1].body.options, { temperature: 0 });
      assert.deepEqual((c[1].body.messages as unknown[]).slice(1), [
        { role: "assistant", content: "Hello there!" },
        { role: "user", content: "line one\nline two" },
      ]);
      assert.equal(c[2].aborted, true, "Ctrl+C aborts the request");
      // The cancelled exchange is not part of the conversation.
      assert.deepEqual((c[3].body.messages as { content: string }[]).map((m) => m.content), ["hi", "Hello there!", "line one\nline two", "multi ok", "again"]);
      const history = readFileSync(join(home, ".ollama", "history"), "utf8");
      assert.match(history, /^hi\n\/set parameter temperature 0\n/);
    } finally {
      await term.kill();
      await fake.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("Ctrl+D exits; OLLAMA_NOHISTORY keeps no history; /set system and /save", async () => {
    const home = mkdtempSync(join(tmpdir(), "herd-repl-"));
    const fake = await startFakeOllama({
      models: { tiny: { capabilities: ["completion"], messages: [{ role: "user", content: "Who are you?" }, { role: "assistant", content: "A pirate." }] } },
      replies: [{ content: ["Arr."] }],
    });
    const term = new Terminal();
    try {
      await term.start({ HOME: home, OLLAMA_HOST: fake.url, PATH: process.env.PATH ?? "", OLLAMA_NOHISTORY: "1" }, ["run", "tiny", "--nowordwrap"]);
      // Modelfile MESSAGEs are replayed before the prompt.
      await term.waitFor(/>>> Who are you\?\nA pirate\.\n\n>>> /);
      await term.type("/set system Talk like a pirate.");
      await term.waitFor(/Set system message\./);
      await term.type("hello");
      await term.waitFor(/Arr\.\n/);
      await term.type("/save mypirate");
      await term.waitFor(/Created new model 'mypirate'/);
      await term.type("/show system");
      await term.waitFor(/show system\nTalk like a pirate\.\n/);
      await term.type("/show template");
      await term.waitFor(/show template\n\{\{ \.Prompt \}\}\n/);
      await term.type("/load mypirate");
      await term.waitFor(/Loading model 'mypirate'\n>>> /);
      assert.equal(fake.requests.filter((r) => r.path === "/api/generate").at(-1)!.body.model, "mypirate");
      await term.keys("C-d");
      assert.equal(await term.exitStatus(), 0);
      assert.deepEqual(chats(fake)[0].body.messages, [
        { role: "user", content: "Who are you?" },
        { role: "assistant", content: "A pirate." },
        { role: "system", content: "Talk like a pirate." },
        { role: "user", content: "hello" },
      ]);
      const save = fake.requests.find((r) => r.path === "/api/create")!;
      assert.deepEqual(save.body, {
        model: "mypirate",
        from: "tiny",
        system: "Talk like a pirate.",
        messages: [
          { role: "user", content: "Who are you?" },
          { role: "assistant", content: "A pirate." },
          { role: "user", content: "hello" },
          { role: "assistant", content: "Arr." },
        ],
      });
      assert.equal(existsSync(join(home, ".ollama", "history")), false);
    } finally {
      await term.kill();
      await fake.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
