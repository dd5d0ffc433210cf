// Checks what an `evaluateBatch` returned and gives each unit (an item, or a join group) its own outcome. Results are
// never shifted onto other units:
//  - `in-order`: an array of exactly one result per unit; any other length fails every unit of the batch (which
//    result belongs to which unit cannot be known);
//  - `by-id`: a Map, a plain object keyed by unit id, or an array of `{id, result}` / `{id, error}` entries; a unit
//    with no result, or with two, fails; a result for an id not in the batch fails nothing and is counted as extra.
// A result that is an Error (or, by id, an `{id, error}` entry) fails that unit only.

/** What one unit of a batch got: its result, its error, or (a stopping run) left for a resumed run. */
export type UnitOutcome = { ok: true; value: unknown } | { ok: false; error: string } | { deferred: true };

export interface AssignedResults {
  outcomes: UnitOutcome[];
  /** Results for ids not in the batch (by id), or past the units' count (in order). */
  extra: number;
}

export type ResultsOrder = "in-order" | "by-id";

const failed = (error: string): UnitOutcome => ({ ok: false, error });

function outcomeOf(value: unknown): UnitOutcome {
  return value instanceof Error ? failed(value.message) : { ok: true, value };
}

function entriesById(returned: unknown): [string, UnitOutcome][] | undefined {
  if (returned instanceof Map) return [...returned.entries()].map(([id, value]) => [String(id), outcomeOf(value)]);
  if (Array.isArray(returned)) {
    const entries: [string, UnitOutcome][] = [];
    for (const entry of returned) {
      if (typeof entry !== "object" || entry === null || !("id" in entry)) return undefined;
      const record = entry as { id: unknown; result?: unknown; error?: unknown };
      const outcome = record.error !== undefined ? failed(String(record.error)) : outcomeOf(record.result);
      entries.push([String(record.id), outcome]);
    }
    return entries;
  }
  if (typeof returned === "object" && returned !== null)
    return Object.entries(returned).map(([id, value]) => [id, outcomeOf(value)]);
  return undefined;
}

/**
 * The outcome of each of `ids` from what the implementation returned. `where` names the node (and the batch), e.g.
 * `node 'lookup' (evaluateBatch of 100 items)`.
 */
export function assignResults(ids: string[], returned: unknown, order: ResultsOrder, where: string): AssignedResults {
  if (order === "in-order") {
    if (!Array.isArray(returned))
      return {
        outcomes: ids.map(() => failed(`${where} returned ${describe(returned)}, not a list of results in order`)),
        extra: 0,
      };
    if (returned.length !== ids.length) {
      const why = `${where} returned ${returned.length} results for ${ids.length} items; results in order must be one per item (return them keyed by id, with 'batch: {results: by-id}', to fail only the missing ones)`;
      return { outcomes: ids.map(() => failed(why)), extra: Math.max(0, returned.length - ids.length) };
    }
    return { outcomes: returned.map(outcomeOf), extra: 0 };
  }
  const entries = entriesById(returned);
  if (!entries)
    return {
      outcomes: ids.map(() => failed(`${where} returned ${describe(returned)}, not results keyed by item id`)),
      extra: 0,
    };
  const wanted = new Set(ids);
  const found = new Map<string, UnitOutcome[]>();
  let extra = 0;
  for (const [id, outcome] of entries) {
    if (!wanted.has(id)) {
      extra++;
      continue;
    }
    const list = found.get(id);
    if (list) list.push(outcome);
    else found.set(id, [outcome]);
  }
  const outcomes = ids.map((id): UnitOutcome => {
    const list = found.get(id);
    if (!list) return failed(`${where} returned no result for item '${id}'`);
    if (list.length > 1) return failed(`${where} returned ${list.length} results for item '${id}'`);
    return list[0];
  });
  return { outcomes, extra };
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
