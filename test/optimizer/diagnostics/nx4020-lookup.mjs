// A tool module with a per-item export only: a batch policy on a node that uses it is NX4020.
export function lookup(args) {
  return { key: args.key };
}
