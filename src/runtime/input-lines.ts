// The lines of a JSONL byte stream (a file or stdin), decoded by what the bytes say: a UTF-8 byte order mark is
// dropped, UTF-16 (little or big endian, with a byte order mark or recognized by the NUL byte of every ASCII
// character) is decoded as UTF-16, anything else is UTF-8. Lines end at `\n`; a `\r` before it is dropped.
import { TextDecoder } from "node:util";

/** A problem with the input as a whole (not one line of it): the run stops with this message. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** The encoding the first bytes of the input show. */
export function detectEncoding(head: Uint8Array): "utf-8" | "utf-16le" | "utf-16be" {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  if (head.length >= 2 && head[0] !== 0 && head[1] === 0) return "utf-16le";
  if (head.length >= 2 && head[0] === 0 && head[1] !== 0) return "utf-16be";
  return "utf-8";
}

/** What a read error of `name` means for the user, in one line. */
function readError(name: string, error: NodeJS.ErrnoException): InputError {
  if (error.code === "EISDIR") return new InputError(`input '${name}' is a directory, not a JSONL file`);
  if (error.code === "ENOENT") return new InputError(`input file '${name}' does not exist`);
  if (error.code === "EACCES") return new InputError(`input file '${name}' cannot be read (permission denied)`);
  return new InputError(`cannot read input '${name}': ${error.message}`);
}

/** The text lines of `bytes`, blank ones included (so line numbers count every line); `name` is for errors. */
export async function* jsonlLines(bytes: AsyncIterable<Uint8Array | string>, name: string): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  // The first bytes, held until there are two to tell the encoding by (a pipe may deliver a single byte first).
  let head: Buffer = Buffer.alloc(0);
  let rest = "";
  const iterator = bytes[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Uint8Array | string>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw readError(name, error as NodeJS.ErrnoException);
    }
    if (next.done) break;
    let chunk = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
    if (!decoder) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 2) continue;
      // TextDecoder drops the byte order mark of the encoding it decodes.
      decoder = new TextDecoder(detectEncoding(head));
      chunk = head;
    }
    const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = lines.pop()!;
    for (const line of lines) yield line.endsWith("\r") ? line.slice(0, -1) : line;
  }
  rest += decoder ? decoder.decode() : head.toString("utf8");
  if (rest !== "") yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
}
