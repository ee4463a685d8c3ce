// The decode loop against a real channel: a named pipe watched by the event loop stands for the child's IPC
// channel, and each "message" is a byte written to it while a step runs (from a token callback) plus the action
// its arrival performs. The loop must see it after the step in progress, whatever the model's speed: the test
// counts steps (tokens), never time.

import assert from "node:assert/strict";
import { closeSync, writeSync } from "node:fs";
import { Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { model, tempDir } from "../../testing/fixtures.js";
import { inputWaiting, loadLlama } from "../native/index.js";
import { openFifo } from "../native/testing.js";
import type { CompletionChunk } from "../types.js";
import { Generator, type Job } from "./generator.js";
import { LoadedModel, type Context } from "./model.js";

const STORIES = model("stories260K.gguf");
const NUM_CTX = 128;

interface Run {
  job: Job;
  tokens: number;
  done: Promise<CompletionChunk>;
  abort(): void;
}

/** A completion whose `onToken` runs inside the step that generated the n-th token. */
function run(prompt: string, numPredict: number, onToken: (n: number) => void = () => {}): Run {
  let aborted = false;
  let last: CompletionChunk | undefined;
  let settle!: (c: CompletionChunk) => void;
  let fail!: (err: Error) => void;
  const done = new Promise<CompletionChunk>((res, rej) => ([settle, fail] = [res, rej]));
  const r: Run = {
    tokens: 0,
    done,
    abort: () => (aborted = true),
    job: {
      request: { prompt, sampling: { temperature: 0, numPredict } },
      token: () => onToken(++r.tokens),
      emit: (c) => (last = c),
      isAborted: () => aborted,
      finish: (err) => (err ? fail(err) : settle(last!)),
    },
  };
  return r;
}

describe("decode loop and its channel", { skip: process.platform !== "linux" && process.platform !== "darwin" && "POSIX only" }, () => {
  const api = loadLlama({ gpu: false });
  let m: LoadedModel;
  let ctx: Context;
  let gen: Generator;
  let channel: { read: number; write: number };
  let socket: Socket;
  let cleanup: () => void;
  /** Actions of the messages in flight, one byte each on the pipe. */
  const inbox: (() => void)[] = [];
  /** Sends a message: its byte reaches the pipe now; its action runs when the event loop reads it. */
  const send = (action: () => void) => {
    inbox.push(action);
    writeSync(channel.write, "m");
  };

  before(async () => {
    const dir = tempDir("herd-gen-");
    cleanup = dir.cleanup;
    channel = openFifo(dir.dir);
    socket = new Socket({ fd: channel.read, readable: true, writable: false });
    socket.on("data", (bytes: Buffer) => {
      for (let i = 0; i < bytes.length; i++) inbox.shift()!();
    });
    m = LoadedModel.load(api, STORIES, { useMmap: true, gpuLayers: 0 });
    ctx = m.createContext({ nCtx: NUM_CTX * 2, nBatch: 64, nSeqMax: 2, kvUnified: false, embeddings: false, threads: 1, threadsBatch: 1 });
    const waiting = inputWaiting(channel.read);
    assert.ok(waiting);
    gen = new Generator(m, ctx, { modelPath: STORIES, numCtx: NUM_CTX }, 2, undefined, waiting);
    await new Promise((r) => setImmediate(r)); // the socket reads from here on
  });

  after(() => {
    gen?.dispose();
    if (ctx) m.freeContext(ctx);
    m?.free();
    socket?.destroy();
    closeSync(channel.write);
    cleanup?.();
  });

  it("sees an abort after the step in progress: no token after it", async () => {
    // Several generations, aborted at different steps: a loop that looked at its messages on some other rhythm
    // than every step would let tokens through after most of them.
    for (const at of [3, 8, 13, 21, 34]) {
      // Endless (the context shifts): only the abort ends it.
      const a: Run = run("Once upon a time", 1e9, (n) => {
        if (n === at) send(() => a.abort());
      });
      gen.submit(a.job);
      const done = await a.done;
      assert.equal(a.tokens, at);
      assert.equal(done.type === "done" && done.timings.evalTokens, at);
    }
  });

  it("admits a request sent during another's generation at the next step", async () => {
    let joinedAt = 0;
    const b = run("Lily went to the park", 5, (n) => {
      if (n === 1) joinedAt = a.tokens;
    });
    const a: Run = run("Once upon a time", 1e9, (n) => {
      if (n === 10) send(() => gen.submit(b.job));
    });
    gen.submit(a.job);
    await b.done;
    a.abort();
    await a.done;
    // The step after the message carried a's 11th token and b's prompt, whose first token came with it.
    assert.equal(joinedAt, 11);
    assert.equal(b.tokens, 5);
  });
});
