// Tools the differential test runs in place of ones a simulated run cannot give (see opt-levels.test.ts).

/** map-reduce's `chunker`: the document split into sentences (the simulated builtin answers with one object). */
export function chunker({ text }) {
  return String(text ?? "")
    .split(/(?<=[.:!?])\s+/)
    .filter((sentence) => sentence !== "");
}
