// Short excerpts of user text for diagnostic messages: a message quotes a value so the user can find it, never the
// whole value (a 600 KB string in a message is unreadable and slows every consumer of the diagnostics).

/** Characters of a quoted value a message keeps. */
export const MAX_EXCERPT_LENGTH = 80;

/** Names a "use one of" list shows before "and N more". */
const MAX_LISTED = 12;

/** The text, or its start, an ellipsis and the full length when it is longer than `max`. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length.toLocaleString("en-US")} characters)` : text;
}

/** A value as a message quotes it: cut to a short excerpt, line breaks shown as `\n`. */
export function excerpt(text: string, max = MAX_EXCERPT_LENGTH): string {
  return truncate(text, max).replace(/\r?\n/g, "\\n");
}

/** A comma-separated list of names, each cut, at most a dozen of them. */
export function excerptList(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED).map((name) => excerpt(name, 40));
  return names.length > MAX_LISTED ? `${shown.join(", ")}, and ${names.length - MAX_LISTED} more` : shown.join(", ");
}
