// The C library, loaded once for the declarations that call it directly (poll.ts, copy-range.ts).

import koffi from "koffi";
import type { LibraryHandle } from "./library.js";

let lib: LibraryHandle | null | undefined;

/** glibc on Linux (by its soname), libSystem on macOS; undefined elsewhere or where it does not load (musl). */
export function libc(): LibraryHandle | undefined {
  if (lib === undefined) {
    lib = null;
    const name = process.platform === "linux" ? "libc.so.6" : process.platform === "darwin" ? "libSystem.B.dylib" : undefined;
    try {
      if (name) lib = koffi.load(name);
    } catch {
      // no C library koffi can load by that name: callers do without
    }
  }
  return lib ?? undefined;
}
