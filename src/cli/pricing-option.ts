// `--pricing FILE` (or the NEXUS_PRICING environment variable) for `nexus build` and `nexus inspect`: becomes the
// `pricing-file` option of the passes that read prices, so the IR's recorded pipeline shows which file was used.
import type { CompileOptions } from "../driver/compile.js";
import { pipelineFor } from "../driver/compile.js";
import { parsePipeline, printPipeline } from "../pass-manager/pipeline.js";

/** Passes that take a `pricing-file` option. */
const PRICED_PASSES = ["batch-optimization", "cost-estimate"];

/** The compile options with the pricing file set on every priced pass of the pipeline. */
export function withPricingFile(options: CompileOptions, file: string | undefined): CompileOptions {
  if (!file) return options;
  let entries;
  try {
    entries = parsePipeline(pipelineFor(options));
  } catch {
    return options; // the compiler reports the bad pipeline itself
  }
  for (const entry of entries) if (PRICED_PASSES.includes(entry.pass)) entry.options["pricing-file"] = file;
  return { ...options, passes: printPipeline(entries) };
}
