// Builds llama.cpp's multimodal library (libmtmd) for herd's vision support.
//
// node-llama-cpp's prebuilt packages carry libllama/libggml but not libmtmd; its sources ship in the same
// package as the exact release (`node-llama-cpp/llama/gitRelease.bundle`). We compile only the mtmd sources
// against the prebuilt libraries, so the ABI matches the engine herd already loads.
//
// Where the result goes: `<packageRoot>/.native/<release>-<bundle hash>/libmtmd.so`. Beside the package
// rather than in ~/.cache because (a) `sudo npm install -g` runs this as root, whose home is not the user's,
// while the package directory is what every later user of that install reads; (b) it goes away with
// `npm uninstall` and an upgrade (new release) builds its own; (c) the key is the bundle's content, so a
// node-llama-cpp bump never reuses a stale build. src/runner/native/mtmd-path.ts resolves the same path.
//
// Runs from `npm ci`/`npm install` (scripts/prepare.mjs, and the `install` script for `npm install -g`), or
// alone: `node scripts/build-mtmd.mjs [--force]`. Never fails the install: without a compiler, git, or on
// an unsupported platform, it prints why and how to enable vision, and exits 0 — text models work as before.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(path.join(packageRoot, "package.json"));
const force = process.argv.includes("--force");
const say = (msg) => console.log(`herd: ${msg}`);
const HOW = "to enable vision, install a C++ compiler and git (Debian/Ubuntu: apt-get install build-essential git), then run `node " +
  path.join(packageRoot, "scripts", "build-mtmd.mjs") + "`";

async function main() {
  if (process.platform !== "linux" || process.arch !== "x64") {
    say(`skipping the vision library (libmtmd) build: only linux-x64 is supported so far (this is ${process.platform}-${process.arch})`);
    return 0;
  }
  let llamaDir, binDir;
  try {
    const nlc = packageDir(require, "node-llama-cpp");
    llamaDir = path.join(nlc, "llama");
    binDir = path.join(packageDir(createRequire(path.join(nlc, "package.json")), "@node-llama-cpp/linux-x64"), "bins", "linux-x64");
  } catch {
    say("skipping the vision library build: node-llama-cpp or its linux-x64 binaries are not installed");
    return 0;
  }
  const bundle = path.join(llamaDir, "gitRelease.bundle");
  const release = JSON.parse(readFileSync(path.join(llamaDir, "binariesGithubRelease.json"), "utf8")).release;
  const key = `${release}-${(await sha256File(bundle)).slice(0, 12)}`;
  const outDir = path.join(packageRoot, ".native", key);
  const out = path.join(outDir, "libmtmd.so");
  if (existsSync(out) && !force) return 0; // up to date: say nothing on every install

  const cxx = findTool(process.env.CXX ?? "", ["g++", "c++", "clang++"]);
  const cc = findTool(process.env.CC ?? "", ["gcc", "cc", "clang"]);
  const git = findTool("", ["git"]);
  if (!cxx || !cc || !git) {
    say(`vision disabled: no ${!git ? "git" : "C/C++ compiler"} found; ${HOW}`);
    return 0;
  }
  const libllama = findLib(binDir, /^libllama(\.v[\d.]+)?\.so$/);
  const libggml = findLib(binDir, /^libggml(\.v[\d.]+)?\.so$/);
  const libggmlBase = findLib(binDir, /^libggml-base\.so$/);
  if (!libllama || !libggml || !libggmlBase) {
    say(`vision disabled: prebuilt libllama/libggml not found in ${binDir}`);
    return 0;
  }

  const started = Date.now();
  const work = mkdtempSync(path.join(tmpdir(), "herd-mtmd-"));
  try {
    const src = path.join(work, "src");
    run(git, ["clone", "--quiet", "--no-checkout", bundle, src]);
    run(git, ["-C", src, "checkout", "--quiet", "HEAD", "--", "tools/mtmd", "vendor", "include", "ggml/include", "src"]);
    const units = sourceUnits(src);
    const jobs = Math.max(1, availableParallelism());
    say(`building the vision library (libmtmd ${release}, ${units.length} files, ${jobs} jobs with ${path.basename(cxx)}) …`);
    const objDir = path.join(work, "obj");
    mkdirSync(objDir);
    const includes = ["tools/mtmd", "vendor", "vendor/hash", "include", "ggml/include"].flatMap((d) => ["-I", path.join(src, d)]);
    const common = ["-fPIC", "-O2", "-DNDEBUG", "-DLLAMA_SHARED", "-DLLAMA_BUILD", "-pthread", "-w", ...includes];
    let done = 0;
    const objects = await pool(units, jobs, async (u, i) => {
      const obj = path.join(objDir, `${i}.o`);
      const args = u.lang === "c"
        ? ["-std=c11", ...common, "-c", path.join(src, u.file), "-o", obj]
        : ["-std=c++17", ...(u.lang === "c-as-cxx" ? ["-x", "c++"] : []), ...common, "-c", path.join(src, u.file), "-o", obj];
      await runAsync(u.lang === "c" ? cc : cxx, args);
      done++;
      if (process.stdout.isTTY) process.stdout.write(`\rherd: compiled ${done}/${units.length}`);
      return obj;
    });
    if (process.stdout.isTTY) process.stdout.write("\n");
    mkdirSync(outDir, { recursive: true });
    const tmpOut = path.join(outDir, `libmtmd.so.${process.pid}.tmp`);
    // RUNPATH names the prebuilt directory so the library also loads on its own; inside herd the runner
    // has loaded libllama/libggml already and the same sonames resolve to them.
    run(cxx, ["-shared", "-o", tmpOut, ...objects, "-Wl,-soname,libmtmd.so", `-Wl,-rpath,${binDir}`,
      libllama, libggml, libggmlBase, "-pthread"]);
    renameSync(tmpOut, out);
    writeFileSync(path.join(outDir, "build.json"), JSON.stringify({ release, bundle, binDir, compiler: cxx, seconds: (Date.now() - started) / 1000 }, null, 2) + "\n");
    say(`built the vision library in ${((Date.now() - started) / 1000).toFixed(0)} s: ${out}`);
    return 0;
  } catch (e) {
    say(`vision disabled: building libmtmd failed (${e instanceof Error ? e.message : e}); ${HOW}`);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The `add_library(mtmd …)` sources of this release, plus the vendored hash library mtmd links. */
function sourceUnits(src) {
  const cmake = readFileSync(path.join(src, "tools/mtmd/CMakeLists.txt"), "utf8");
  const m = /add_library\s*\(\s*mtmd\b([^)]*)\)/.exec(cmake);
  if (!m) throw new Error("add_library(mtmd …) not found in tools/mtmd/CMakeLists.txt");
  const units = m[1].split(/\s+/).filter((f) => f.endsWith(".cpp")).map((f) => ({ file: `tools/mtmd/${f}`, lang: "cxx" }));
  units.push({ file: "vendor/hash/hash.cpp", lang: "cxx" });
  if (existsSync(path.join(src, "vendor/hash/xxhash/xxhash.c"))) units.push({ file: "vendor/hash/xxhash/xxhash.c", lang: "c" });
  if (existsSync(path.join(src, "vendor/hash/sha256/sha256.c"))) units.push({ file: "vendor/hash/sha256/sha256.c", lang: "c" });
  // vendor/hash/CMakeLists.txt compiles sha1.c as C++ (it lives in a namespace).
  if (existsSync(path.join(src, "vendor/hash/sha1/sha1.c"))) units.push({ file: "vendor/hash/sha1/sha1.c", lang: "c-as-cxx" });
  // Largest first, so a long unit (clip.cpp) does not start last and leave the other cores idle.
  return units.map((u) => ({ ...u, size: statSync(path.join(src, u.file)).size })).sort((a, b) => b.size - a.size);
}

/** A package's folder (their `exports` hide package.json, so resolve the entry and walk up). */
function packageDir(req, name) {
  let dir = path.dirname(req.resolve(name));
  while (!existsSync(path.join(dir, "package.json")) || JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).name !== name) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`${name} not found`);
    dir = up;
  }
  return dir;
}

function findTool(preferred, names) {
  for (const n of [preferred, ...names].filter(Boolean)) {
    const r = spawnSync(n, ["--version"], { stdio: "ignore" });
    if (r.status === 0) {
      const w = spawnSync("sh", ["-c", `command -v ${JSON.stringify(n)}`], { encoding: "utf8" });
      return w.stdout.trim() || n;
    }
  }
  return undefined;
}

function findLib(dir, re) {
  try {
    const hit = spawnSync("ls", [dir], { encoding: "utf8" }).stdout.split("\n").find((f) => re.test(f));
    return hit ? path.join(dir, hit) : undefined;
  } catch {
    return undefined;
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.slice(0, 3).join(" ")} … exited ${r.status}: ${(r.stderr || "").trim().split("\n").slice(-5).join(" | ")}`);
}

function runAsync(cmd, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => { err += d; });
    p.on("error", reject);
    p.on("close", (code) => code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${args.at(-3)} exited ${code}: ${err.trim().split("\n").slice(-5).join(" | ")}`)));
  });
}

async function pool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }));
  return results;
}

function sha256File(file) {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(file).on("data", (d) => h.update(d)).on("error", reject).on("end", () => resolve(h.digest("hex")));
  });
}

process.exitCode = await main();
