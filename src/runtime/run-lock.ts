// The run lock: one `nexus run` at a time on a results file and the state files next to it (checkpoints, batch
// journal). It is an OS lock, not a lock file whose presence counts: SQLite's own file lock on `<out>.nexus.lock`,
// held by an exclusive transaction left open for the whole run. The kernel drops it when the process ends, kill -9
// included, so a resumed run takes over the lock of a dead run at once; there is no stale lock to judge, no pid reuse
// to be fooled by, no takeover race, and it works between processes and within one. Who holds it is written next to
// it (`<out>.nexus.lock.json`: pid, host, start time, command) for the message a second run prints.
import Database from "better-sqlite3";
import { renameSync, rmSync, statSync, writeFileSync, readFileSync, type Stats } from "node:fs";
import { hostname } from "node:os";

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

/** Another run holds the lock. */
export class RunLockedError extends Error {
  constructor(
    readonly out: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(
      `another nexus run is using ${out}` +
        (owner
          ? ` (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}: ${owner.command}); wait for it to finish or stop it`
          : ` (it holds ${out}.nexus.lock); wait for it to finish or stop it`),
    );
  }
}

function statOf(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function isBusy(error: unknown): boolean {
  return (error as { code?: string }).code === "SQLITE_BUSY";
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export class RunLock {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    readonly ownerFile: string,
  ) {}

  /**
   * Takes the lock of the run writing `out`, or throws RunLockedError naming the process that has it. The lock file
   * is removed by its holder on release (while it still holds it): a run that opened the old file before that finds
   * the path gone or replaced after locking it, and tries again on the current file.
   */
  static acquire(out: string, command = commandLine()): RunLock {
    const file = `${out}.nexus.lock`;
    const ownerFile = `${file}.json`;
    for (let attempt = 0; attempt < 100; attempt++) {
      const before = statOf(file);
      if (!before) {
        new Database(file).close(); // creates it; the next attempt locks it
        continue;
      }
      const db = new Database(file, { timeout: 0 });
      try {
        db.pragma("journal_mode = MEMORY");
        db.exec("BEGIN EXCLUSIVE");
      } catch (error) {
        db.close();
        if (isBusy(error)) throw new RunLockedError(out, readOwner(ownerFile));
        throw error;
      }
      const after = statOf(file);
      if (after && after.ino === before.ino && after.dev === before.dev) {
        const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
        writeFileSync(`${ownerFile}.${process.pid}`, JSON.stringify(owner) + "\n");
        renameSync(`${ownerFile}.${process.pid}`, ownerFile);
        return new RunLock(db, file, ownerFile);
      }
      db.close();
    }
    throw new Error(`cannot lock ${file}: it keeps being replaced`);
  }

  /** Releases the lock and removes its files. */
  release(): void {
    if (!this.db.open) return;
    rmSync(this.ownerFile, { force: true });
    rmSync(this.file, { force: true });
    this.db.close();
  }
}

/**
 * The holder of a lock another process has: its owner file, once it names a live process (a run that has just taken
 * the lock writes the file a moment later; until then it may still name the dead run before it).
 */
function readOwner(ownerFile: string): LockOwner | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const owner = JSON.parse(readFileSync(ownerFile, "utf8")) as LockOwner;
      if (owner.host !== hostname() || pidIsAlive(owner.pid)) return owner;
    } catch {
      // not written yet, or being replaced
    }
    sleepSync(25);
  }
  return undefined;
}

function commandLine(): string {
  return ["nexus", ...process.argv.slice(2)].join(" ");
}

/**
 * Runs `run` holding the run lock on `out` (one run per results file at a time, across processes): `lock` when the
 * caller already took it, else one taken and released here. Without `out` nothing is locked.
 */
export async function withRunLock<T>(
  { out, lock }: { out?: string; lock?: RunLock },
  run: () => Promise<T>,
): Promise<T> {
  if (out === undefined) return run();
  const held = lock ?? RunLock.acquire(out);
  try {
    return await run();
  } finally {
    if (!lock) held.release();
  }
}
