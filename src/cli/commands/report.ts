// `nexus report RUN.json -o report.html`: the HTML page of a run report saved with `nexus run --report`, the same
// page `nexus run --html` writes.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { RunReport } from "../../runtime/run-report.js";
import { UsageError } from "../../util/user-errors.js";
import { EXIT } from "../exit-codes.js";
import { writeHtmlReport } from "../html-output.js";
import { checkWritableFile } from "../option-values.js";

interface ReportFlags {
  out: string;
}

function readReport(file: string): RunReport {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read run report '${file}': ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  try {
    const report = JSON.parse(text) as RunReport;
    if (typeof report !== "object" || report === null || typeof report.workflow !== "string") throw new Error();
    return report;
  } catch {
    throw new UsageError(`'${file}' is not a run report (write one with nexus run --report FILE)`);
  }
}

export function registerReportCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("report")
    .description("write the HTML page of a run report saved with nexus run --report")
    .argument("<report>", "a run report JSON file (nexus run --report FILE)")
    .requiredOption("-o, --out <file>", "the HTML file to write (one self-contained page)")
    .action(async (file: string, flags: ReportFlags) => {
      const report = readReport(file);
      checkWritableFile(flags.out, "--out");
      const { ReportDataError } = await import("../../report/html-report.js");
      try {
        await writeHtmlReport(flags.out, report);
      } catch (error) {
        if (!(error instanceof ReportDataError)) throw error;
        process.stderr.write(`error: ${file}: ${error.message}\n`);
        return setExitCode(EXIT.inputErrors);
      }
      process.stdout.write(`report: ${flags.out}\n`);
    });
}
