// Finding and loading llama.cpp's shared libraries from node-llama-cpp's prebuilt platform packages
// (`@node-llama-cpp/<platform>-<arch>[-cuda|-vulkan|-metal]`). node-llama-cpp is used only as the source of
// these binaries; nothing of its JavaScript is imported. The CPU backend variants (AVX2, AVX-512, …) and GPU
// backends are separate libraries that ggml loads itself (`ggml_backend_load_all_from_path`), picking the
// best CPU variant for this machine.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import koffi from "koffi";
import { ModelLoadError } from "../../util/errors.js";

/** The llama.cpp release whose structs and functions this binding declares (node-llama-cpp's `llama.cpp.info.json`). */
export const LLAMA_RELEASE = "v0.4.0";
/** What `llama_version()` of that release returns. */
export const LLAMA_VERSION = "0.4.0";

export type LibraryHandle = ReturnType<typeof koffi.load>;

export interface LlamaLibrary {
  /** Folder of the libraries (also where ggml found its backends). */
  dir: string;
  /** Package variant: "" for CPU, or "cuda" / "vulkan" / "metal". */
  variant: string;
  ggmlBase: LibraryHandle;
  ggml: LibraryHandle;
  llama: LibraryHandle;
  /** Loads another library of the same folder (libmtmd, …) by its name prefix, e.g. "libmtmd". */
  loadSibling(prefix: string): LibraryHandle;
}

export interface LoadLibraryOptions {
  /** false: CPU only (skips GPU packages). Default: the first GPU package whose libraries load, else CPU. */
  gpu?: boolean;
  /** Load from this folder instead of searching the packages (tests, custom builds). */
  dir?: string;
}

const requireHere = createRequire(import.meta.url);

function platformName(): string {
  return `${process.platform === "win32" ? "win" : process.platform === "darwin" ? "mac" : process.platform}-${process.arch}`;
}

/** The folder of an installed package (its `exports` hide package.json, so walk up from its entry). */
export function packageRoot(name: string): string | undefined {
  let dir: string;
  try {
    dir = dirname(requireHere.resolve(name));
  } catch {
    return undefined;
  }
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return existsSync(join(dir, "package.json")) ? dir : undefined;
}

/** Candidate library folders, GPU variants first (only those whose package is installed). */
export function libraryCandidates(gpu = true): { dir: string; variant: string }[] {
  const base = platformName();
  const variants = gpu ? (process.platform === "darwin" ? ["metal", ""] : ["cuda", "vulkan", ""]) : [""];
  const out: { dir: string; variant: string }[] = [];
  for (const variant of variants) {
    const name = variant ? `${base}-${variant}` : base;
    const root = packageRoot(`@node-llama-cpp/${name}`);
    if (!root) continue;
    // metal builds are the package's default on macOS arm64: no -metal suffix there.
    for (const dir of [join(root, "bins", name), join(root, "bins", base)])
      if (existsSync(dir)) {
        out.push({ dir, variant: variant || (process.platform === "darwin" && process.arch === "arm64" ? "metal" : "") });
        break;
      }
  }
  return out;
}

/** The file in `dir` whose name starts with `prefix` followed by "." (libllama.v0.4.0.so, libllama.cuda.v0.4.0.so, llama.dll). */
function findLib(dir: string, prefix: string): string | undefined {
  const ext = process.platform === "win32" ? ".dll" : process.platform === "darwin" ? ".dylib" : ".so";
  const names = readdirSync(dir).filter((f) => f.endsWith(ext) && (f.startsWith(`${prefix}.`) || f === `${prefix}${ext}`));
  const winName = prefix.replace(/^lib/, "");
  if (process.platform === "win32") names.push(...readdirSync(dir).filter((f) => f === `${winName}.dll`));
  return names.length ? join(dir, names.sort((a, b) => a.length - b.length)[0]) : undefined;
}

/** Opens the libraries of one folder, without caching (tests; `loadLlamaLibrary` caches). */
export function openLibrary(dir: string, variant = ""): LlamaLibrary {
  const need = (prefix: string) => {
    const file = findLib(dir, prefix);
    if (!file) throw new ModelLoadError(`llama.cpp library ${prefix} not found in ${dir}`);
    return koffi.load(file);
  };
  // Dependencies first, by path, so the loader never picks up another copy from the system.
  const ggmlBase = need("libggml-base");
  // A GPU package is usable only when its backend library loads (its driver's libraries are present);
  // otherwise ggml would silently skip it and the CPU-only package is the smaller load.
  if (variant && variant !== "metal") need(`libggml-${variant}`);
  const ggml = need("libggml");
  const llama = need("libllama");
  return { dir, variant, ggmlBase, ggml, llama, loadSibling: need };
}

let loaded: LlamaLibrary | undefined;

/**
 * Loads the libraries once per process; later calls return the same handles (whatever their options: a
 * process holds one copy of ggml). Throws ModelLoadError when no package is installed.
 */
export function loadLlamaLibrary(opts: LoadLibraryOptions = {}): LlamaLibrary {
  if (loaded) return loaded;
  const candidates = opts.dir ? [{ dir: opts.dir, variant: "" }] : libraryCandidates(opts.gpu !== false);
  const errors: string[] = [];
  for (const c of candidates) {
    try {
      loaded = openLibrary(c.dir, c.variant);
      return loaded;
    } catch (err) {
      // A GPU package whose driver libraries are missing fails to load: fall back to the next one.
      errors.push(`${c.dir}: ${(err as Error).message}`);
    }
  }
  throw new ModelLoadError(
    errors.length
      ? `unable to load llama.cpp libraries: ${errors.join("; ")}`
      : `no llama.cpp libraries for ${platformName()}: install @node-llama-cpp/${platformName()}`,
  );
}

/** The release tag the package's build metadata names, when it has that file. */
export function packageRelease(dir: string): string | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, "_nlcBuildMetadata.json"), "utf8")) as { buildOptions?: { llamaCpp?: { release?: string } } };
    return meta.buildOptions?.llamaCpp?.release;
  } catch {
    return undefined;
  }
}
