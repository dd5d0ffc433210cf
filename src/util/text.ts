// Short, one-line excerpts of user text for dumps and messages.

/** `text` on one line, escaped and quoted, cut to `max` characters with its full length noted. */
export function quote(text: string, max = 60): string {
  const flat = text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
  return flat.length <= max ? `"${flat}"` : `"${flat.slice(0, max)}…"(${text.length} chars)`;
}
