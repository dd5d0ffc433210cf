// A tool module with a batch form.
export function lookup(args) {
  return { key: args.key };
}

export async function evaluateBatch(items) {
  return items.map((item) => ({ key: item.input.key }));
}
