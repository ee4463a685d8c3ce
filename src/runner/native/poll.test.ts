import assert from "node:assert/strict";
import { closeSync, readSync, writeSync } from "node:fs";
import { describe, it } from "node:test";
import koffi from "koffi";
import { tempDir } from "../../testing/fixtures.js";
import { inputWaiting, POLLIN, pollfd } from "./poll.js";
import { hasCompiler, openFifo, runProbe } from "./testing.js";

const posix = process.platform === "linux" || process.platform === "darwin";

describe("poll(2) through the C library", () => {
  it("declares struct pollfd and POLLIN as the system header does", { skip: (!posix || !hasCompiler()) && "POSIX with a C++ compiler" }, () => {
    const lines = ["#include <poll.h>", "#include <cstdio>", "#include <cstddef>", "int main() {"];
    lines.push('printf("sizeof %zu\\n", sizeof(struct pollfd));');
    for (const f of ["fd", "events", "revents"]) lines.push(`printf("${f} %zu\\n", offsetof(struct pollfd, ${f}));`);
    lines.push('printf("POLLIN %d\\n", (int)POLLIN);', "}");
    const actual = runProbe("", [], lines.join("\n"));
    assert.equal(koffi.sizeof(pollfd), Number(actual.get("sizeof")));
    for (const f of ["fd", "events", "revents"]) assert.equal(koffi.offsetof(pollfd, f), Number(actual.get(f)), `offsetof(pollfd, ${f})`);
    assert.equal(POLLIN, Number(actual.get("POLLIN")));
  });

  it("reports a pipe readable while bytes wait in it, and after its writer hung up", { skip: !posix && "POSIX only" }, (t) => {
    const { dir, cleanup } = tempDir("herd-poll-");
    t.after(cleanup);
    const fifo = openFifo(dir);
    const waiting = inputWaiting(fifo.read);
    assert.ok(waiting, "poll binds on Linux and macOS");
    try {
      assert.equal(waiting(), false, "an empty pipe");
      writeSync(fifo.write, "ab");
      assert.equal(waiting(), true);
      assert.equal(waiting(), true, "asking does not consume");
      readSync(fifo.read, Buffer.alloc(1));
      assert.equal(waiting(), true, "one byte left");
      readSync(fifo.read, Buffer.alloc(1));
      assert.equal(waiting(), false, "drained");
      closeSync(fifo.write);
      // POLLHUP on a FIFO is Linux's behaviour; macOS's poll has varied on FIFOs.
      if (process.platform === "linux") assert.equal(waiting(), true, "the writer hung up: the event loop must see it");
    } finally {
      closeSync(fifo.read);
    }
  });

  it("offers no check without a descriptor", () => {
    assert.equal(inputWaiting(undefined), undefined);
    assert.equal(inputWaiting(-1), undefined);
  });
});
