// `nexus status --queue redis://... [--state postgres://...] [--run ID] [--json]`: a distributed run's progress.
import type { Command } from "commander";
import { UsageError } from "../../util/user-errors.js";

interface StatusFlags {
  queue: string;
  state?: string;
  run?: string;
  json?: boolean;
}

export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description("show a distributed run's progress: items done/failed, chunks queued/active/stalled, workers")
    .requiredOption("--queue <redis-url>", "the run's Redis queue")
    .option("--state <postgres-url>", "the run's shared state (for items done and failed)")
    .option("--run <id>", "the run (default: the latest in --state)")
    .option("--json", "print JSON")
    .action(async (flags: StatusFlags) => {
      const [{ readStatus, formatStatus }, { parseQueueUrl }, { PostgresState }] = await Promise.all([
        import("../../distributed/status.js"),
        import("../../distributed/queue-connection.js"),
        import("../../runtime/postgres-state.js"),
      ]);
      let state: import("../../runtime/postgres-state.js").PostgresState | undefined;
      try {
        state = flags.state ? await PostgresState.open(flags.state) : undefined;
      } catch (error) {
        throw new UsageError(`cannot open --state ${flags.state}: ${(error as Error).message}`);
      }
      try {
        const progress = await readStatus(parseQueueUrl(flags.queue), state, flags.run);
        process.stdout.write(flags.json ? JSON.stringify(progress, null, 2) + "\n" : formatStatus(progress));
      } finally {
        await state?.close();
      }
    });
}
