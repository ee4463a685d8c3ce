// Linux's copy_file_range(2) through libc: a byte range from one file to another inside the kernel, without
// passing through this process. On a filesystem that shares extents (btrfs, XFS with reflink) the kernel
// shares them instead of copying. Node exposes it only for whole files (fs.copyFile); the translator needs
// ranges (tensors move when the tensors before them are hidden). Each call runs on koffi's worker thread, in
// pieces of at most PIECE bytes, so the event loop never waits for a copy.

import { libc } from "./libc.js";

/** Bytes per call: small enough that a cancelled or failed copy stops soon, large enough to cost nothing. */
const PIECE = 64 << 20;

type CopyFn = {
  async(fdIn: number, offIn: number[], fdOut: number, offOut: number[], len: number, flags: number, cb: (err: unknown, n: number) => void): void;
};

let copy: CopyFn | null | undefined;

function bind(): CopyFn | null {
  if (copy !== undefined) return copy;
  copy = null;
  if (process.platform !== "linux") return copy;
  try {
    copy = (libc()?.func("int64_t copy_file_range(int fd_in, _Inout_ int64_t *off_in, int fd_out, _Inout_ int64_t *off_out, size_t len, unsigned int flags)") as unknown as CopyFn) ?? null;
  } catch {
    // not glibc, or too old for copy_file_range: callers stream instead
  }
  return copy;
}

/**
 * Copies up to `size` bytes at `from` in `fdIn` to `to` in `fdOut`; returns how many it copied. It stops early
 * where the kernel or libc cannot go on (another platform, a filesystem pair it refuses, a short source): the
 * caller copies the rest itself.
 */
export async function copyRange(fdIn: number, from: number, fdOut: number, to: number, size: number): Promise<number> {
  const fn = bind();
  if (!fn) return 0;
  let done = 0;
  while (done < size) {
    const offIn = [from + done];
    const offOut = [to + done];
    const n = await new Promise<number>((resolve, reject) =>
      fn.async(fdIn, offIn, fdOut, offOut, Math.min(PIECE, size - done), 0, (err, r) => (err ? reject(err) : resolve(Number(r)))),
    );
    if (n <= 0) break;
    done += n;
  }
  return done;
}
