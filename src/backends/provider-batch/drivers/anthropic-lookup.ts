// Finding an Anthropic batch whose create call may have succeeded in a run that died before journaling the id.
// Anthropic batches have no metadata, so the search goes by what the journal knows: the batch was created after the
// journal row was written (less a clock-skew allowance) and after the previous batch this journal recorded, it holds
// exactly `requestCount` requests, and no journal row claims it. Among such candidates, an ended one is ours exactly
// when its results' custom_ids carry our marker. One unended candidate is taken as likely ours and checked when its
// results arrive (a wrong guess costs time, not money: its results are ignored and our requests are sent again).
// Several unended candidates: ask again later. Residual risk: see this folder's README.
import type { AnthropicBatchDriver } from "./anthropic-driver.js";
import type { JournaledBatch, LookupContext, MarkerLookup } from "./driver.js";

/** How far the provider's clock may run behind ours. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Most batches a lookup scans (newest first). */
const MAX_SCAN = 2_000;

export async function findAnthropicBatch(
  driver: AnthropicBatchDriver,
  batch: JournaledBatch,
  context: LookupContext,
): Promise<MarkerLookup> {
  const since = batch.createdAt - CLOCK_SKEW_MS;
  const ended: string[] = [];
  const unended: string[] = [];
  let scanned = 0;
  for await (const candidate of driver.client.messages.batches.list({ limit: 100 })) {
    if (candidate.id === context.previousId || Date.parse(candidate.created_at) < since || ++scanned > MAX_SCAN) break;
    if (context.knownIds.has(candidate.id)) continue;
    const total = Object.values(candidate.request_counts).reduce((sum, n) => sum + n, 0);
    if (total !== batch.requestCount) continue;
    (candidate.processing_status === "ended" ? ended : unended).push(candidate.id);
  }
  for (const id of ended) {
    try {
      if ((await driver.resultMarker(id)) === batch.marker)
        return { found: true, providerBatchId: id, confirmed: true };
    } catch {
      // Results gone (archived or deleted): that batch cannot be told apart, and cannot be read either.
    }
  }
  if (unended.length === 1) return { found: true, providerBatchId: unended[0], confirmed: false };
  if (unended.length > 1)
    return {
      found: false,
      certain: false,
      reason: `${unended.length} unfinished batches of ${batch.requestCount} requests could be batch ${batch.marker}; waiting for them to end`,
    };
  return { found: false, certain: true, reason: `no batch with marker ${batch.marker} at the provider` };
}
