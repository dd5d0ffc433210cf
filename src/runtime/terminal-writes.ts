// Keeps other writes to a terminal from colliding with a live progress bar: while the bar is shown, a write to the
// stream first clears the bar's line, then the bar is drawn again below the message once the message's line ends.
// The bar itself writes through `raw`, which bypasses the guard and draws nothing while a message's line is open.

export interface GuardedStream {
  /** A stream for the bar: writes straight to the terminal. */
  raw: { isTTY: true; columns: number; write: (text: string) => boolean };
  /** Puts the stream's own `write` back. */
  release(): void;
}

const CLEAR_LINE = "\r\x1b[2K";

export function guardWrites(stream: NodeJS.WriteStream, redraw: () => void): GuardedStream {
  const original = stream.write;
  const write = original.bind(stream) as (text: string) => boolean;
  /** A message's line is open (its newline not yet written): the bar waits for it. */
  let messageOpen = false;
  const guarded = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    if (!messageOpen) write(CLEAR_LINE);
    const result = (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : "";
    if (text.length > 0) messageOpen = !text.endsWith("\n");
    if (!messageOpen) redraw();
    return result;
  };
  stream.write = guarded as typeof stream.write;
  return {
    raw: {
      isTTY: true,
      get columns() {
        return stream.columns ?? 80;
      },
      write: (text: string) => messageOpen || write(text),
    },
    release: () => {
      if (stream.write === guarded) stream.write = original;
    },
  };
}
