// poll(2) through the C library, with timeout 0: does a file descriptor have input waiting, asked of the kernel
// without turning Node's event loop. The runner child decodes on its JS thread and looks at its IPC channel
// after every step (generator.ts): one poll costs 2–4 µs on a VM where a syscall costs 1.5 µs (a fraction of
// that on bare metal), one turn of the event loop after a decode 17–50 µs. POSIX only (the struct and POLLIN
// are the same on Linux and macOS, proven against the system header by poll.test.ts); elsewhere, or when the
// C library cannot be bound, there is no check and callers turn the event loop on a clock instead.

import { endianness } from "node:os";
import koffi from "koffi";
import { libc } from "./libc.js";

/** `struct pollfd` (POSIX): used for its layout only, the call takes the bytes. */
export const pollfd = koffi.struct("herd_pollfd", { fd: "int", events: "short", revents: "short" });
/** Data to read; the same bit on Linux and macOS. */
export const POLLIN = 1;

type PollFn = (fds: Uint8Array, nfds: number, timeout: number) => number;

let bound: PollFn | null | undefined;

function bind(): PollFn | null {
  if (bound !== undefined) return bound;
  bound = null;
  const lib = libc();
  if (!lib) return bound;
  // nfds_t: unsigned long in glibc, unsigned int on macOS. A pointer to bytes, not to a koffi struct: the same
  // buffer serves every call, nothing is copied in or out.
  const nfds = process.platform === "darwin" ? "unsigned int" : "unsigned long";
  try {
    bound = lib.func(`int poll(void *fds, ${nfds} nfds, int timeout)`) as unknown as PollFn;
  } catch {
    // a C library without poll: no check
  }
  return bound;
}

/**
 * A check whether `fd` has input waiting — or hung up or failed, which the event loop must see as well — that
 * never blocks; undefined where poll cannot be bound (Windows, musl) or there is no fd.
 */
export function inputWaiting(fd: number | undefined): (() => boolean) | undefined {
  if (fd === undefined || !Number.isInteger(fd) || fd < 0) return undefined;
  const poll = bind();
  if (!poll) return undefined;
  const bytes = new Uint8Array(koffi.sizeof(pollfd));
  const view = new DataView(bytes.buffer);
  const native = endianness() === "LE";
  view.setInt32(koffi.offsetof(pollfd, "fd"), fd, native);
  view.setInt16(koffi.offsetof(pollfd, "events"), POLLIN, native);
  // The count of descriptors with events (revents != 0): 1 or 0 here; -1 (EINTR) asks again after the next step.
  return () => poll(bytes, 1, 0) > 0;
}
