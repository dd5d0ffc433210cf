// Short, one-line excerpts of user text for dumps and messages, and counted nouns.

/** `text` on one line, escaped and quoted, cut to `max` characters with its full length noted. */
export function quote(text: string, max = 60): string {
  const flat = text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
  return flat.length <= max ? `"${flat}"` : `"${flat.slice(0, max)}…"(${text.length} chars)`;
}

/** `n` and the noun, plural unless n is 1: `1 batch`, `3 batches`. */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
