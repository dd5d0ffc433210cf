// Writes a run report as a self-contained HTML page (`nexus run --html`, `nexus report -o`). The renderer and its
// graph layout library load only when a page is asked for.
import { writeFileSync } from "node:fs";
import type { RunReport } from "../runtime/run-report.js";

export async function writeHtmlReport(file: string, report: RunReport): Promise<void> {
  const { renderHtmlReport } = await import("../report/html-report.js");
  writeFileSync(file, renderHtmlReport(report));
}
