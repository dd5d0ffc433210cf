// Writes one JSONL result line per item as soon as the item finishes, with a synchronous write so a result is on
// disk before the checkpoint that records the item as finished. On resume, the ids already in the file are read
// first: those items are neither re-run nor written twice. Without a file (results streamed to a program or stdout),
// it only keeps the ids written, so no item is reported twice.
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import type { ChatUsage } from "./chat.js";

export interface ResultLine {
  id: string;
  status: "ok" | "error";
  output: Record<string, unknown> | null;
  error: string | null;
  usage: ChatUsage;
}

export class ResultsWriter {
  private readonly written = new Set<string>();
  private fd: number | undefined;

  constructor(readonly file: string | undefined) {}

  private position = 0;

  /** Opens for appending; with `resume`, first reads the ids already written (a torn last line is dropped). */
  open(resume: boolean): void {
    if (this.file === undefined) {
      if (resume) throw new Error("a run resumes from its results file; this run has none");
      return;
    }
    if (!resume || !existsSync(this.file)) {
      this.fd = openSync(this.file, "w");
      return;
    }
    const text = readFileSync(this.file, "utf8");
    let kept = 0;
    for (const line of text.split("\n")) {
      if (line.trim() !== "") {
        try {
          const parsed = JSON.parse(line) as { id?: unknown };
          if (typeof parsed.id === "string") this.written.add(parsed.id);
        } catch {
          break; // a line cut by a crash: dropped, and its item runs again
        }
      }
      kept += line.length + 1;
    }
    const keptText = text.slice(0, Math.min(kept, text.length));
    this.fd = openSync(this.file, "r+");
    this.position = Buffer.byteLength(keptText);
    ftruncateSync(this.fd, this.position);
    if (keptText.length > 0 && !keptText.endsWith("\n")) this.append("\n");
  }

  private append(text: string): void {
    const buffer = Buffer.from(text);
    writeSync(this.fd!, buffer, 0, buffer.length, this.position);
    this.position += buffer.length;
  }

  has(id: string): boolean {
    return this.written.has(id);
  }

  get count(): number {
    return this.written.size;
  }

  /** Appends the lines of items not written before; returns those lines. */
  write(results: ResultLine[]): ResultLine[] {
    let text = "";
    const added: ResultLine[] = [];
    for (const result of results) {
      if (this.written.has(result.id)) continue;
      this.written.add(result.id);
      if (this.fd !== undefined) text += JSON.stringify(result) + "\n";
      added.push(result);
    }
    if (text) this.append(text);
    return added;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
