// The package as a user gets it: `npm pack` a copy of the repository, `npm install -g` the tarball into a
// fresh prefix, then run the installed `herd --version`, `herd serve` and `herd run <file.gguf>` with their
// own HOME, store and port. Dependencies come from the npm cache or registry, as for any user.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { model, REPO_ROOT, tempDir } from "../../src/testing/fixtures.js";
import { freePort } from "../../src/testing/net.js";

const VERSION = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version as string;
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

function npm(args: string[], cwd: string): string {
  const r = spawnSync(NPM, args, { cwd, encoding: "utf8", timeout: 8 * 60_000 });
  assert.equal(r.status, 0, `npm ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe("npm pack → npm install -g → herd", { timeout: 15 * 60_000 }, () => {
  const tmp = tempDir("herd-package-");
  let bin = "";
  let tarballFiles: string[] = [];
  let env: NodeJS.ProcessEnv = {};
  let url = "";

  before(() => {
    // Pack a copy: prepack empties and rebuilds dist/, which the running tests are using.
    const src = join(tmp.dir, "src");
    for (const p of ["src", "bin", "templates", "scripts", "package.json", "tsconfig.json", "README.md"]) {
      cpSync(join(REPO_ROOT, p), join(src, p), { recursive: true, filter: (f) => !f.endsWith(".test.ts") });
    }
    symlinkSync(join(REPO_ROOT, "node_modules"), join(src, "node_modules"), "dir");
    const name = npm(["pack", "--silent", "--pack-destination", tmp.dir], src).trim().split("\n").pop()!;
    const tarball = join(tmp.dir, name);
    tarballFiles = spawnSync("tar", ["tzf", tarball], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
    const prefix = join(tmp.dir, "prefix");
    npm(["install", "-g", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", tarball], tmp.dir);
    bin = join(prefix, "bin", "herd");
    const home = join(tmp.dir, "home");
    mkdirSync(join(home, "models"), { recursive: true });
    env = { ...process.env, HOME: home, OLLAMA_MODELS: join(home, "models") };
  });
  after(() => tmp.cleanup());

  it("ships the compiled code, templates, README and bin, and no tests or test helpers", () => {
    for (const f of ["package/bin/herd.js", "package/README.md", "package/dist/src/cli/main.js", "package/templates/index.json"]) {
      assert.ok(tarballFiles.includes(f), `${f} is in the package`);
    }
    const leaked = tarballFiles.filter((f) => /\.test\.js$|\/testing\/|\/testing\.js$|^package\/(src|test|bench)\/|\.map$/.test(f));
    assert.deepEqual(leaked, []);
  });

  it("herd --version reports the package version", () => {
    const r = spawnSync(bin, ["--version"], { env: { ...env, OLLAMA_HOST: "127.0.0.1:9" }, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`client version is ${VERSION.replace(/\./g, "\\.")}\\n`));
  });

  it("herd serve answers /api/version, and herd run <file.gguf> streams an answer", async () => {
    const port = await freePort();
    env.OLLAMA_HOST = `127.0.0.1:${port}`;
    url = `http://127.0.0.1:${port}`;
    const server = spawn(bin, ["serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let logs = "";
    server.stdout.on("data", (d) => (logs += d));
    server.stderr.on("data", (d) => (logs += d));
    try {
      let version: unknown;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && version === undefined; ) {
        version = await fetch(`${url}/api/version`).then((r) => r.json(), () => undefined);
        if (version === undefined) await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual(version, { version: VERSION }, logs);

      // stories260K never ends its story on its own: read the first words of the answer, then stop.
      const run = spawn(bin, ["run", model("stories260K.gguf"), "Once upon a time"], { env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      const answered = new Promise<void>((resolve, reject) => {
        run.stdout.on("data", (d) => {
          out += d;
          if (out.trim().split(/\s+/).length >= 5) resolve();
        });
        run.stderr.on("data", (d) => (err += d));
        run.on("close", (code) => reject(new Error(`herd run exited ${code}: ${out}\n${err}`)));
      });
      try {
        await answered;
      } finally {
        run.kill("SIGINT");
      }
      const tags = (await fetch(`${url}/api/tags`).then((r) => r.json())) as { models: { name: string }[] };
      assert.deepEqual(tags.models.map((m) => m.name), ["stories260k:latest"]);
      assert.ok(readdirSync(join(env.OLLAMA_MODELS!, "blobs")).length >= 2);
    } finally {
      const exited = new Promise((r) => server.once("close", r));
      server.kill("SIGTERM");
      await exited;
    }
  });
});
