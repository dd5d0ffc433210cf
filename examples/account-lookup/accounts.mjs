// The account lookup of the account-lookup example: one call per batch, as a `WHERE id IN (...)` query would be.
// A real implementation would query a database; this one reads a small table. Rows come back keyed by item id, in
// any order (the node says `results: by-id`); an unknown account fails its own item only.
const ACCOUNTS = {
  "acct-1": { name: "Ada Lovelace", plan: "enterprise", open_invoices: 0 },
  "acct-2": { name: "Alan Turing", plan: "team", open_invoices: 2 },
  "acct-3": { name: "Grace Hopper", plan: "free", open_invoices: 0 },
  "acct-4": { name: "Edsger Dijkstra", plan: "team", open_invoices: 1 },
};

/** Per item (a node without `batch:`). */
export function lookupAccount(args) {
  const row = ACCOUNTS[args.account_id];
  if (!row) throw new Error(`no account '${args.account_id}'`);
  return row;
}

/** The batch form: every accumulated item at once; ctx says it is a batch, its size and the node. */
export async function evaluateBatch(items, ctx) {
  const wanted = new Set(items.map((item) => item.input.account_id));
  const rows = Object.entries(ACCOUNTS).filter(([id]) => wanted.has(id));
  const byAccount = new Map(rows);
  return items.map((item) => {
    const row = byAccount.get(item.input.account_id);
    return row
      ? { id: item.id, result: row }
      : { id: item.id, error: `no account '${item.input.account_id}' (looked up by ${ctx.node})` };
  });
}
