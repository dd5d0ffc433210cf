// Voting over packed answers (BatchPrompt's safeguard against position effects): a pack is asked `votes` times with
// its items in different orders (a shuffle seeded by the items' ids and the vote, so a resumed run asks the very same
// requests), and an item takes the answer more than half of the votes gave. An item without such a majority (a tie,
// or too many invalid votes) is not guessed: it is asked again on its own.
import { createHash } from "node:crypto";
import { canonicalJson } from "../../util/canonical-json.js";
import type { Validation } from "../output-validator.js";

/** `items` in the order of vote `vote` (vote 0 keeps the given order); deterministic for equal ids. */
export function voteOrder<T>(items: readonly T[], ids: readonly string[], vote: number): T[] {
  const order = items.map((_, index) => index);
  if (vote === 0) return order.map((index) => items[index]);
  const seed = `${ids.join("\u0000")}\u0001${vote}`;
  for (let i = order.length - 1; i > 0; i--) {
    const digest = createHash("sha256").update(`${seed}|${i}`).digest();
    const j = digest.readUInt32BE(0) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.map((index) => items[index]);
}

/** The voted answer of one item from its votes' validations. */
export function majority(votes: readonly Validation[]): Validation {
  const counts = new Map<string, { value: unknown; count: number }>();
  for (const vote of votes) {
    if (!vote.ok) continue;
    const key = canonicalJson(vote.value);
    const entry = counts.get(key) ?? { value: vote.value, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  const ranked = [...counts.values()].sort((a, b) => b.count - a.count);
  const top = ranked[0];
  if (top && top.count * 2 > votes.length) return { ok: true, value: top.value };
  const errors = votes.filter((vote): vote is { ok: false; error: string } => !vote.ok).map((vote) => vote.error);
  const split = ranked.map((entry) => entry.count).join("-");
  const why =
    ranked.length > 1
      ? `the ${votes.length} votes disagreed (${split})`
      : `no answer won a majority of ${votes.length} votes`;
  return { ok: false, error: errors.length > 0 ? `${why}; ${errors[0]}` : why };
}
