// A call whose text arrives in pieces, as an async iterator: each text delta as the backend streams it, then the
// call's result. Backends that do not stream yield the result alone.
export type StreamedPart<T> = { text: string } | { result: T };

export async function* streamedCall<T>(
  start: (onDelta: (text: string) => void) => Promise<T>,
): AsyncGenerator<StreamedPart<T>> {
  const pieces: string[] = [];
  let wake: (() => void) | undefined;
  let done: { result: T } | { error: unknown } | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  start((text) => {
    pieces.push(text);
    poke();
  }).then(
    (result) => ((done = { result }), poke()),
    (error: unknown) => ((done = { error }), poke()),
  );
  for (;;) {
    while (pieces.length > 0) yield { text: pieces.shift()! };
    if (done) break;
    await new Promise<void>((resolve) => (wake = resolve));
  }
  while (pieces.length > 0) yield { text: pieces.shift()! };
  if ("error" in done) throw done.error;
  yield { result: done.result };
}
