// The pricing table a build uses: the built-in table, then the workflow's `pricing:` section, then a `--pricing`
// file (given to the passes as their `pricing-file` option), each overriding the one before. Invalid overrides are
// reported (NX4004) and skipped, so a bad price file never silently changes the estimate.
import { diagnostics } from "../diagnostics/codes.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Workflow } from "../ir/workflow.js";
import {
  applyPricingOverride,
  BUILTIN_PRICING,
  pricingOverrideSchema,
  readPricingOverride,
  type PricingTable,
} from "./pricing.js";

export function resolvePricing(ir: Workflow, pricingFile: string, report: (d: Diagnostic) => void): PricingTable {
  let table = BUILTIN_PRICING;
  const fileLoc = ir.source ? { file: ir.source, line: 1, column: 1 } : undefined;
  if (ir.settings.pricing !== undefined) {
    const parsed = pricingOverrideSchema.safeParse(ir.settings.pricing);
    if (parsed.success) table = applyPricingOverride(table, parsed.data);
    else {
      const issue = parsed.error.issues[0];
      report(
        diagnostics.invalidPricing(
          "the workflow's 'pricing:' section",
          `${issue.path.join(".")}: ${issue.message}`,
          fileLoc,
        ),
      );
    }
  }
  if (pricingFile !== "") {
    try {
      table = applyPricingOverride(table, readPricingOverride(pricingFile));
    } catch (error) {
      report(diagnostics.invalidPricing(`'${pricingFile}'`, (error as Error).message, undefined));
    }
  }
  return table;
}
