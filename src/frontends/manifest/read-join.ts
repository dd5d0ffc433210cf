// Reads a batch-native node's `join: {by, within, on_timeout}`: `by` a state path, `within` a count (a group is
// complete at that many items) or a duration (a group closes that long after its first item), `on_timeout` what
// becomes of a group still incomplete when its window ends (`flush`: handed over as it is, the default; `fail`).
import { diagnostics } from "../../diagnostics/codes.js";
import type { JoinPolicy } from "../../ir/types.js";
import { parseDuration } from "../../util/units.js";
import type { LoweringContext } from "./context.js";
import type { FieldReader } from "./fields.js";

const JOIN_FIELDS = ["by", "within", "on_timeout", "timeout_ms"];

/** `within: 3` is a count; `within: 500ms` (or `2s`, ...) a duration. */
function readWithin(value: unknown): Pick<JoinPolicy, "count" | "durationMs"> | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value >= 1) return { count: value };
  if (typeof value === "string") {
    const ms = parseDuration(value);
    if (ms !== undefined && ms > 0) return { durationMs: ms };
  }
  return undefined;
}

export function readJoinPolicy(reader: FieldReader, context: LoweringContext, node: string): JoinPolicy | undefined {
  const raw = reader.record("join");
  if (!raw) return undefined;
  const join = context.reader(raw, `join of node '${node}'`);
  const by = join.string("by", true);
  const withinValue = raw.within;
  join.consume("within");
  const within = readWithin(withinValue);
  if (withinValue !== undefined && !within)
    context.report(
      diagnostics.invalidJoin(
        node,
        "'within' must be a count (an integer >= 1) or a duration such as '500ms'",
        join.at("within"),
      ),
    );
  const timeoutMs = join.durationMs("timeout_ms");
  const onTimeout = join.oneOf("on_timeout", ["flush", "fail"] as const) ?? "flush";
  join.rest(JOIN_FIELDS);
  if (by === undefined) return undefined;
  const policy: JoinPolicy = { by, onTimeout };
  if (within?.count !== undefined) policy.count = within.count;
  const durationMs = within?.durationMs ?? timeoutMs;
  if (durationMs !== undefined) policy.durationMs = durationMs;
  return policy;
}
