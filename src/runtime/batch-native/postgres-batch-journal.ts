// The batch-native journal of a distributed chunk, in the shared Postgres state (`nexus_batch_outcomes`, one row per
// scope, graph, node and item): a batch's outcomes are committed before its items move on, and the worker that takes
// the chunk over (or a `--resume` of the run) loads the chunk's rows first, so a finished batch is never called again.
import type { PostgresState } from "../postgres-state.js";
import { MemoryBatchJournal, type JournaledOutcome } from "./batch-journal.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS nexus_batch_outcomes (
  scope text NOT NULL,
  graph text NOT NULL,
  node text NOT NULL,
  item text NOT NULL,
  outcome jsonb NOT NULL,
  PRIMARY KEY (scope, graph, node, item)
);
`;

export class PostgresNativeBatchJournal extends MemoryBatchJournal {
  private constructor(
    private readonly state: PostgresState,
    private readonly scope: string,
  ) {
    super();
  }

  /** The scope's journal with the outcomes recorded before (errors only with `replayErrors`: not --retry-failed). */
  static async open(state: PostgresState, scope: string, replayErrors: boolean): Promise<PostgresNativeBatchJournal> {
    await state.createTables(SCHEMA);
    const journal = new PostgresNativeBatchJournal(state, scope);
    const { rows } = await state.pool.query<{ graph: string; node: string; item: string; outcome: JournaledOutcome }>(
      "SELECT graph, node, item, outcome FROM nexus_batch_outcomes WHERE scope = $1",
      [scope],
    );
    for (const row of rows)
      if (row.outcome.ok || replayErrors)
        MemoryBatchJournal.prototype.record.call(journal, row.graph, row.node, [[row.item, row.outcome]]);
    return journal;
  }

  override async record(graph: string, node: string, outcomes: [string, JournaledOutcome][]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.state.pool.query(
      "INSERT INTO nexus_batch_outcomes (scope, graph, node, item, outcome) " +
        "SELECT $1, $2, $3, * FROM unnest($4::text[], $5::jsonb[]) " +
        "ON CONFLICT (scope, graph, node, item) DO UPDATE SET outcome = excluded.outcome",
      [this.scope, graph, node, outcomes.map(([item]) => item), outcomes.map(([, outcome]) => JSON.stringify(outcome))],
    );
    super.record(graph, node, outcomes);
  }
}
