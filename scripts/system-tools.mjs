// The system tools the tests drive, installed when missing (idempotent: nothing happens when all are
// present). As root with apt-get (a fresh Debian or Ubuntu), one quiet `apt-get install`; otherwise
// it names what is missing and the command that installs it, and fails.
//   docker-registry  the CNCF distribution server the registry tests push to and pull from
//   tmux             the terminal the REPL test drives
//   g++, make        a C++ toolchain for the engine's native build
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const TOOLS = [
  { bin: "/usr/bin/docker-registry", pkg: "docker-registry" },
  { bin: "tmux", pkg: "tmux" },
  { bin: "g++", pkg: "build-essential" },
  { bin: "make", pkg: "build-essential" },
];

const onPath = (bin) => (bin.startsWith("/") ? existsSync(bin) : spawnSync("sh", ["-c", `command -v ${bin}`]).status === 0);
const missing = [...new Set(TOOLS.filter((t) => !onPath(t.bin)).map((t) => t.pkg))];
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(" ")}`;
const isRoot = process.getuid?.() === 0;
if (!isRoot || !onPath("apt-get")) {
  process.stderr.write(
    `The tests need these system packages: ${missing.join(", ")}.\n` +
      (onPath("apt-get") ? `Install them as root: sudo sh -c '${command}'\n` : `Install them with your system's package manager (Debian names: ${missing.join(" ")}).\n`),
  );
  process.exit(1);
}

process.stderr.write(`Installing the system packages the tests drive: ${missing.join(", ")}\n`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
for (const args of [["update", "-qq"], ["install", "-y", "-qq", "--no-install-recommends", ...missing]]) {
  const r = spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env });
  if (r.status !== 0) {
    process.stderr.write(`apt-get ${args.join(" ")} failed (exit ${r.status})\n`);
    process.exit(1);
  }
}
// Debian starts the registry as a system service on :5000; the tests run their own instances.
if (missing.includes("docker-registry")) spawnSync("sh", ["-c", "systemctl disable --now docker-registry"], { stdio: "ignore" });
