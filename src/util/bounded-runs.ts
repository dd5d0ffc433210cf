// Cuts text with very long runs into pieces a BPE tokenizer encodes in bounded time. BPE merging is quadratic in the
// length of one pre-tokenized piece, and text without separators (200,000 repeated `A`s, a base64 blob) is one
// piece: counting it took 38 s. Text whose runs are all shorter than the limit is left whole, so its tokens are
// exactly the tokenizer's; a cut run is tokenized as if a boundary were at each cut, a close estimate.

/** Longest run of non-blank (or of blank) characters encoded in one piece. */
export const MAX_RUN_LENGTH = 1024;

const isBlank = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;

/**
 * The text as pieces that concatenate to it, cut inside runs longer than `maxRun` (never inside a surrogate pair),
 * or `[text]` when no run is that long.
 */
export function boundedRuns(text: string, maxRun = MAX_RUN_LENGTH): string[] {
  if (text.length <= maxRun) return [text];
  const pieces: string[] = [];
  let pieceStart = 0;
  let runLength = 0;
  let runBlank = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const blank = isBlank(c);
    if (blank !== runBlank || i === 0) {
      runBlank = blank;
      runLength = 0;
    }
    if (runLength >= maxRun && !isHighSurrogate(text.charCodeAt(i - 1))) {
      pieces.push(text.slice(pieceStart, i));
      pieceStart = i;
      runLength = 0;
    }
    runLength++;
  }
  pieces.push(text.slice(pieceStart));
  return pieces;
}
