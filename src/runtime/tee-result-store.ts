// The results of a single-process run with `--state postgres://`: each line is recorded in Postgres first (one row
// per run and item, the durable record) and then appended to the results file. On resume, rows Postgres has and the
// file lacks (the process died between the two writes) are appended to the file first, so the file ends up with
// every recorded result once.
import type { PostgresResultStore, PostgresState } from "./postgres-state.js";
import type { ResultStore } from "./result-store.js";
import type { ResultLine, ResultsWriter } from "./results-writer.js";

export class TeeResultStore implements ResultStore {
  constructor(
    private readonly shared: PostgresResultStore,
    private readonly file: ResultsWriter,
    private readonly state: PostgresState,
    private readonly runId: string,
  ) {}

  async open(resume: boolean): Promise<void> {
    await this.shared.open();
    this.file.open(resume);
    for (let after = 0; ;) {
      const rows = await this.state.resultsAfter(this.runId, after);
      if (rows.length === 0) break;
      after = rows[rows.length - 1].seq;
      this.file.write(rows.map((row) => row.line));
    }
  }

  isDone(id: string): boolean {
    return this.shared.isDone(id) || this.file.isDone(id);
  }

  hasLine(id: string): boolean {
    return this.shared.hasLine(id) || this.file.hasLine(id);
  }

  async write(results: ResultLine[]): Promise<ResultLine[]> {
    return this.file.write(await this.shared.write(results));
  }

  get corruptLines() {
    return this.file.corruptLines;
  }

  readonly retried = 0;

  close(): void {
    this.file.close();
  }
}
