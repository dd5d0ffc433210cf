// Real Redis and PostgreSQL servers for tests and benches, started from the system's binaries (Debian's
// `redis-server` and `postgresql` packages) on a free loopback port in a temporary folder, and stopped afterwards.
// PostgreSQL refuses to run as root: as root, its data folder belongs to the `postgres` user and its programs run as
// that user (`runuser -u postgres --`).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A port no one listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Waits until something accepts TCP connections on the port. */
async function waitForPort(port: number, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    const why = exited();
    if (why) throw new Error(why);
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** Kills the server (SIGKILL: the append-only file is all that survives) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder (it reloads its append-only file). */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

const REDIS_BIN = process.env.NEXUS_REDIS_SERVER ?? "redis-server";

/** Starts `redis-server` with its append-only file on, in a temporary folder. */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "nexus-redis-"));
  const port = await freePort();
  let child: ChildProcess;
  let output = "";
  const launch = async () => {
    output = "";
    child = spawn(
      REDIS_BIN,
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", ""],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    let spawnError: Error | undefined;
    child.once("error", (error) => (spawnError = error));
    await waitForPort(port, 10_000, () =>
      spawnError
        ? `cannot start ${REDIS_BIN}: ${spawnError.message} (install the redis-server package)`
        : child.exitCode !== null
          ? `redis-server exited: ${output}`
          : undefined,
    );
  };
  await launch();
  const kill = async () => {
    child.kill("SIGKILL");
    await exitOf(child);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PostgresServer {
  /** A connection URL for the database `nexus`. */
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** Where Debian puts the server programs (`initdb`, `pg_ctl`), newest version first. */
export function postgresBinDir(): string {
  if (process.env.NEXUS_PG_BIN) return process.env.NEXUS_PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error("no PostgreSQL server programs found: install the postgresql package");
  return join(root, versions[0], "bin");
}

const isRoot = process.getuid?.() === 0;

function pgUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid: id("-u"), gid: id("-g") };
}

/** Runs a PostgreSQL program (as the `postgres` user when this process is root). */
function pgCommand(program: string, args: string[]): { command: string; args: string[] } {
  const path = join(postgresBinDir(), program);
  return isRoot ? { command: "runuser", args: ["-u", "postgres", "--", path, ...args] } : { command: path, args };
}

function pgRun(program: string, args: string[]): void {
  const { command, args: full } = pgCommand(program, args);
  const result = spawnSync(command, full, { encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`${program} ${args.join(" ")} failed (${result.status}): ${result.stdout}${result.stderr}`);
}

/** Starts PostgreSQL on a free loopback port with a fresh data folder and a database `nexus` (trust auth). */
export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), "nexus-pg-"));
  if (isRoot) {
    const { uid, gid } = pgUser();
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  pgRun("initdb", ["-D", data, "-U", "nexus", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  pgRun("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "30", "start"]);
  const stop = async () => {
    try {
      pgRun("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    pgRun("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "nexus", "nexus"]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://nexus@127.0.0.1:${port}/nexus`, port, dir, stop };
}
