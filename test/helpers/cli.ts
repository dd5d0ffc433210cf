// Runs the built `nexus` binary (bin/nexus.js -> dist/cli.js) as a user would, rebuilding dist/ first when it is
// missing or older than the sources.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.js";

const BUILT_CLI = join(REPO_ROOT, "dist", "cli.js");
const BIN = join(REPO_ROOT, "bin", "nexus.js");

/** The newest modification time of any file below `dir` (0 when it does not exist). */
export function newestModification(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const BUILD_LOCK = join(
  tmpdir(),
  `nexus-cli-build-${createHash("sha1").update(REPO_ROOT).digest("hex").slice(0, 12)}.lock`,
);

/** The newest modification time of the CLI's sources (src). */
export function newestSourceModification(): number {
  return Math.max(...["src"].map((dir) => newestModification(join(REPO_ROOT, dir))));
}

function isStale(): boolean {
  const sources = newestSourceModification();
  return !existsSync(BUILT_CLI) || statSync(BUILT_CLI).mtimeMs < sources;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Builds dist/ with tsup (as `npm run build` does) unless it is newer than every source file. Test files run in
 * parallel processes and several call this: a lock file makes one of them build while the others wait, so no process
 * runs the binary while another's build has emptied dist/.
 */
export function ensureCliBuilt(): void {
  if (!isStale()) return;
  for (;;) {
    try {
      closeSync(openSync(BUILD_LOCK, "wx"));
      break;
    } catch {
      const age = Date.now() - (existsSync(BUILD_LOCK) ? statSync(BUILD_LOCK).mtimeMs : Date.now());
      if (age > 120_000) rmSync(BUILD_LOCK, { force: true }); // left behind by a crashed build
      sleep(100);
    }
  }
  try {
    if (!isStale()) return; // another process built it while this one waited
    // The CLI needs only the JavaScript: the library's type declarations (most of the build time) are left out.
    const build = spawnSync("npx", ["tsup"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, NEXUS_SKIP_DTS: "1" },
    });
    if (build.status !== 0) throw new Error(`npx tsup failed:\n${build.stdout}\n${build.stderr}`);
  } finally {
    rmSync(BUILD_LOCK, { force: true });
  }
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `nexus ARGS` from the repository root. */
export function nexus(...args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
