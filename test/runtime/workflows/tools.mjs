// Function tools used by the runtime test workflows (`protocol: function`, `config.module: tools.mjs`).
import { setTimeout as sleep } from "node:timers/promises";

/** Facts about a topic; throws when the item marks its source unavailable. */
export async function lookupFacts({ topic, unavailable }) {
  if (unavailable) throw new Error(`source for '${topic}' is unavailable`);
  return { topic, facts: [`${topic} is a topic`] };
}

/** Waits `ms` milliseconds, then answers. */
export async function slowLookup({ ms }) {
  await sleep(ms);
  return `waited ${ms} ms`;
}

/** Answers at once. */
export function quickLookup(args) {
  return { found: args };
}

/** A deterministic search that takes 50 ms. */
export async function search({ topic }) {
  await sleep(50);
  return { topic, hits: [`${topic}: result 1`] };
}

/** A call with side effects (it must run every time). */
export async function notify({ topic }) {
  await sleep(10);
  return `notified about ${topic}`;
}

/** Fails for topics starting with "broken". */
export function flaky({ topic }) {
  if (topic.startsWith("broken")) throw new Error(`cannot fetch '${topic}'`);
  return { topic };
}
