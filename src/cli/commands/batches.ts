// `nexus batches list | status ID | cancel ID [--journal FILE] [--backend URL] [--json]`: the provider batches of a run
// (from its journal, `<out>.batches.sqlite`) and of the provider account. `status` asks the provider for a batch
// named by its provider id or its journal marker; `cancel` cancels it there (a running or resumed run then treats
// its unfinished requests by its `on-canceled` option).
import { existsSync } from "node:fs";
import type { Command } from "commander";
import type { BatchJournal } from "../../backends/provider-batch/index.js";
import { BackendUnusableError, UsageError } from "../../util/user-errors.js";
import { EXIT } from "../exit-codes.js";
import { positiveInteger } from "../option-values.js";
import { formatTable } from "../shared.js";

interface BatchesFlags {
  journal?: string;
  backend?: string;
  limit: number;
  json?: boolean;
}

type ProviderBatch = typeof import("../../backends/provider-batch/index.js");
type Journal = BatchJournal;

/** Loaded only when `batches` runs: the provider SDKs and SQLite are not needed by other commands. */
const load = (): Promise<ProviderBatch> => import("../../backends/provider-batch/index.js");

function openJournal(pb: ProviderBatch, flags: BatchesFlags): Journal | undefined {
  const file = flags.journal ?? pb.DEFAULT_JOURNAL;
  if (!existsSync(file)) {
    if (flags.journal) throw new UsageError(`--journal ${file}: no such file`);
    return undefined;
  }
  return pb.BatchJournal.inspect(file);
}

/** The driver for --backend, else for the URL the journal's run used. */
function driverFor(pb: ProviderBatch, flags: BatchesFlags, journal: Journal | undefined) {
  const spec = flags.backend ?? journal?.meta("spec");
  if (!spec)
    throw new UsageError(
      `no journal at ${flags.journal ?? pb.DEFAULT_JOURNAL}: name a run's journal with --journal FILE, or the provider with --backend (anthropic-batch://, openai-batch://, file://DIR)`,
    );
  return pb.createBatchDriver(pb.parseProviderBatchSpec(spec));
}

function countsText(counts: Record<string, number> | string | null | undefined): string {
  const parsed = typeof counts === "string" ? (JSON.parse(counts) as Record<string, number>) : (counts ?? {});
  return Object.entries(parsed)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
}

function outcomesText(journal: Journal, marker: string): string {
  return countsText(outcomeTally(journal, marker));
}

function outcomeTally(journal: Journal, marker: string): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const member of journal.members(marker))
    tally[member.outcome ?? "pending"] = (tally[member.outcome ?? "pending"] ?? 0) + 1;
  return tally;
}

async function list(flags: BatchesFlags): Promise<string> {
  const pb = await load();
  const journal = openJournal(pb, flags);
  let out = "";
  const json: Record<string, unknown> = {};
  try {
    if (journal) {
      const batches = journal.batches();
      json.journal = {
        file: journal.file,
        batches: batches.map((b) => ({
          marker: b.marker,
          batchId: b.provider_batch_id,
          purpose: b.purpose,
          status: b.status,
          providerStatus: b.provider_status,
          requests: b.request_count,
          results: outcomeTally(journal, b.marker),
          createdAt: new Date(b.created_at).toISOString(),
        })),
      };
      const rows = batches.map((b) => [
        b.marker,
        b.provider_batch_id ?? "-",
        b.purpose,
        b.status,
        b.provider_status ?? "-",
        b.request_count,
        outcomesText(journal, b.marker) || "-",
        new Date(b.created_at).toISOString(),
      ]);
      out += `journal ${journal.file}\n`;
      out += formatTable(
        ["marker", "batch id", "purpose", "status", "provider", "requests", "results", "created"],
        rows,
      );
    }
    if (flags.backend || !journal) {
      const driver = driverFor(pb, flags, journal);
      const listed = await driver.list(flags.limit);
      json.provider = { name: driver.provider, batches: listed };
      const rows = listed.map((b) => [b.id, b.status, countsText(b.counts) || "-", b.marker ?? "-", b.createdAt]);
      out += `${out ? "\n" : ""}provider ${driver.provider}\n`;
      out += formatTable(["batch id", "status", "counts", "marker", "created"], rows);
    }
  } finally {
    journal?.close();
  }
  return flags.json ? JSON.stringify(json, null, 2) + "\n" : out;
}

async function status(id: string, flags: BatchesFlags): Promise<string> {
  const pb = await load();
  const journal = openJournal(pb, flags);
  try {
    const row = journal?.findBatch(id);
    const providerId = row ? row.provider_batch_id : id;
    const rows: [string, string | number][] = [];
    const json: Record<string, unknown> = {};
    if (row) {
      Object.assign(json, {
        marker: row.marker,
        journalStatus: row.status,
        purpose: row.purpose,
        requests: row.request_count,
        results: outcomeTally(journal!, row.marker),
        ...(row.note ? { note: row.note } : {}),
      });
      rows.push(
        ["marker", row.marker],
        ["journal status", row.status],
        ["purpose", row.purpose],
        ["requests", row.request_count],
      );
      rows.push(["results read", outcomesText(journal!, row.marker) || "-"]);
      if (row.note) rows.push(["note", row.note]);
    }
    if (providerId && row?.provider !== "realtime") {
      const state = await driverFor(pb, flags, journal).retrieve(providerId);
      Object.assign(json, { batchId: providerId, providerStatus: state.providerStatus, counts: state.counts });
      rows.push(
        ["batch id", providerId],
        ["provider status", state.providerStatus],
        ["counts", countsText(state.counts) || "-"],
      );
    } else if (!row) throw new Error(`no batch '${id}'`);
    return flags.json ? JSON.stringify(json, null, 2) + "\n" : formatTable(["", "value"], rows);
  } finally {
    journal?.close();
  }
}

async function cancel(id: string, flags: BatchesFlags): Promise<string> {
  const pb = await load();
  const journal = openJournal(pb, flags);
  try {
    const row = journal?.findBatch(id);
    if (row && !row.provider_batch_id) throw new Error(`batch ${id} has no provider id yet (status ${row.status})`);
    const providerId = row?.provider_batch_id ?? id;
    const state = await driverFor(pb, flags, journal).cancel(providerId);
    return `batch ${providerId}: ${state.providerStatus}${countsText(state.counts) ? ` (${countsText(state.counts)})` : ""}\n`;
  } finally {
    journal?.close();
  }
}

export function registerBatchesCommand(program: Command, setExitCode: (code: number) => void): void {
  const batches = program
    .command("batches")
    .description("list, inspect and cancel provider batches (anthropic-batch://, openai-batch://, file://DIR)");
  const withSource = (command: Command) =>
    command
      .option("--journal <file>", "a run's batch journal (default: results.jsonl.batches.sqlite when it exists)")
      .option("-b, --backend <url>", "the provider, e.g. anthropic-batch:// (default: the one the journal's run used)");
  const run = (action: () => Promise<string>) => async () => {
    try {
      process.stdout.write(await action());
    } catch (error) {
      if (error instanceof UsageError || error instanceof BackendUnusableError) throw error;
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      setExitCode(EXIT.inputErrors);
    }
  };
  withSource(batches.command("list").description("batches in the journal and, with --backend, at the provider"))
    .option("--limit <n>", "most provider batches to list", positiveInteger, 20)
    .option("--json", "print JSON instead of tables")
    .action((flags: BatchesFlags) => run(() => list(flags))());
  withSource(batches.command("status").description("a batch's status at the provider and in the journal"))
    .argument("<id>", "provider batch id or journal marker")
    .option("--json", "print JSON instead of a table")
    .action((id: string, flags: BatchesFlags) => run(() => status(id, flags))());
  withSource(batches.command("cancel").description("cancel a batch at the provider"))
    .argument("<id>", "provider batch id or journal marker")
    .action((id: string, flags: BatchesFlags) => run(() => cancel(id, flags))());
}
