// Writes one JSONL result line per item as soon as the item finishes, with a synchronous write so a result is on
// disk before the checkpoint that records the item as finished. On resume, the lines already in the file are read
// first: those items are neither re-run nor written twice, except items whose last line is an error when failed
// items are retried (`--retry-failed`): their new line is appended and supersedes the old one (readers take the last
// line per id). A line that cannot be read is skipped and reported; only a torn last line (a crash cut it before
// its newline) is removed from the file. Without a file (results streamed to a program or stdout), it only keeps the
// ids written, so no item is reported twice.
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import type { ChatUsage } from "./chat.js";
import type { ResultStore } from "./result-store.js";

export interface ResultLine {
  id: string;
  status: "ok" | "error";
  output: Record<string, unknown> | null;
  error: string | null;
  usage: ChatUsage;
}

/** A line of the results file that is not a result line: skipped, and its item runs again. */
export interface CorruptResultLine {
  /** 1-based line number in the file. */
  line: number;
  /** The line's first characters. */
  text: string;
}

/** What a results file holds: each id's last status, the lines that could not be read, and the usage paid for. */
export interface ResultsFileScan {
  /** Status of each id's last line. */
  lastStatus: Map<string, ResultLine["status"]>;
  corrupt: CorruptResultLine[];
  /** Bytes up to the end of the last complete line (a torn last line starts here). */
  keptBytes: number;
  /** True when the file ends in a line with no newline that does not parse (cut by a crash). */
  torn: boolean;
  /** Sum of the result lines' usage: tokens already paid for. */
  usage: { promptTokens: number; completionTokens: number };
}

const EXCERPT = 60;

/** Reads a results file (which must exist). */
export function scanResultsFile(file: string): ResultsFileScan {
  const bytes = readFileSync(file);
  const scan: ResultsFileScan = {
    lastStatus: new Map(),
    corrupt: [],
    keptBytes: 0,
    torn: false,
    usage: { promptTokens: 0, completionTokens: 0 },
  };
  let start = 0;
  let lineNumber = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(10, start);
    const end = newline === -1 ? bytes.length : newline;
    const text = bytes.subarray(start, end).toString("utf8");
    lineNumber++;
    const line = text.trim() === "" ? undefined : parseResultLine(text);
    if (line) {
      scan.lastStatus.set(line.id, line.status);
      scan.usage.promptTokens += line.usage?.promptTokens ?? 0;
      scan.usage.completionTokens += line.usage?.completionTokens ?? 0;
    }
    if (newline === -1) {
      if (line === null) scan.torn = true;
      else scan.keptBytes = bytes.length;
      break;
    }
    if (line === null) scan.corrupt.push({ line: lineNumber, text: text.slice(0, EXCERPT) });
    start = newline + 1;
    scan.keptBytes = start;
  }
  return scan;
}

/** The line as a result line; null when it is not one; undefined for a blank line. */
function parseResultLine(text: string): ResultLine | null {
  try {
    const parsed = JSON.parse(text) as Partial<ResultLine> | null;
    if (parsed === null || typeof parsed !== "object" || typeof parsed.id !== "string") return null;
    if (parsed.status !== "ok" && parsed.status !== "error") return null;
    return parsed as ResultLine;
  } catch {
    return null;
  }
}

export interface ResumeOptions {
  /** Items whose last line is an error run again (`--retry-failed`). */
  retryFailed?: boolean;
}

export class ResultsWriter implements ResultStore {
  /** Each id's status in the file before this run. */
  private previous = new Map<string, ResultLine["status"]>();
  /** Ids this run wrote a line for. */
  private readonly written = new Set<string>();
  private retryFailed = false;
  private fd: number | undefined;
  private position = 0;
  /** Lines of the file that could not be read (on resume). */
  corruptLines: CorruptResultLine[] = [];

  constructor(readonly file: string | undefined) {}

  /** Opens for appending; with `resume`, first reads the lines already written (a torn last line is dropped). */
  open(resume: boolean, options: ResumeOptions = {}): void {
    if (this.file === undefined) {
      if (resume) throw new Error("a run resumes from its results file; this run has none");
      return;
    }
    if (!resume || !existsSync(this.file)) {
      this.fd = openSync(this.file, "w");
      return;
    }
    this.retryFailed = options.retryFailed ?? false;
    const scan = scanResultsFile(this.file);
    this.previous = scan.lastStatus;
    this.corruptLines = scan.corrupt;
    this.fd = openSync(this.file, "r+");
    this.position = scan.keptBytes;
    ftruncateSync(this.fd, this.position);
    if (this.position > 0 && !endsWithNewline(this.fd, this.position)) this.append("\n");
  }

  private append(text: string): void {
    const buffer = Buffer.from(text);
    let done = 0;
    while (done < buffer.length) done += writeSync(this.fd!, buffer, done, buffer.length - done, this.position + done);
    this.position += buffer.length;
  }

  /** True when the item needs no run: this run wrote its line, or an earlier one did (and it is not retried). */
  isDone(id: string): boolean {
    if (this.written.has(id)) return true;
    const status = this.previous.get(id);
    return status === "ok" || (status === "error" && !this.retryFailed);
  }

  /** True when the file has any line for the item. */
  hasLine(id: string): boolean {
    return this.written.has(id) || this.previous.has(id);
  }

  /** Items whose earlier error line is superseded by a line this run wrote. */
  get retried(): number {
    let count = 0;
    for (const id of this.written) if (this.previous.get(id) === "error") count++;
    return count;
  }

  /** Appends the lines of items not done before; returns those lines. */
  write(results: ResultLine[]): ResultLine[] {
    let text = "";
    const added: ResultLine[] = [];
    for (const result of results) {
      if (this.isDone(result.id)) continue;
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

function endsWithNewline(fd: number, length: number): boolean {
  const last = Buffer.alloc(1);
  return readSync(fd, last, 0, 1, length - 1) === 1 && last[0] === 10;
}
