// For a dry run's page: the cost of the counted tokens at realtime, cached realtime and Batch API prices, and what
// the counts assume where the input cannot say.
import type { RunReport } from "../runtime/run-report.js";
import { formatUsd } from "../util/units.js";
import { escapeHtml, htmlTable } from "./html.js";

export function dryRunSection(report: RunReport): string {
  const costs = report.backendReport?.dryRunCost;
  const table =
    costs && typeof costs === "object"
      ? htmlTable(
          "dry-run-cost",
          ["prices", "cost of these items"],
          Object.entries(costs as Record<string, number>).map(([scenario, usd]) => [
            escapeHtml(
              scenario
                .replace(/Usd$/, "")
                .replace(/([a-z])([A-Z])/g, "$1 $2")
                .toLowerCase(),
            ),
            escapeHtml(formatUsd(usd)),
          ]),
        )
      : "<p>No model of the workflow has a price.</p>";
  const assumptions = (report.assumptions ?? []).map((line) => `<li>${escapeHtml(line)}</li>`).join("");
  return `${table}<h3>Assuming</h3><ul>${assumptions}</ul>`;
}
