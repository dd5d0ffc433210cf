// The JSONL input reader on its own: every kind of bad line is an NX5xxx diagnostic located at its line (and, for
// JSON syntax, at the character where parsing stopped), and the good lines around it are still read.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readInput, type InputRecord } from "../../src/runtime/input-reader.js";

const dir = mkdtempSync(join(tmpdir(), "nexus-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(lines: string[], required: string[] = []): Promise<{ file: string; records: InputRecord[] }> {
  const file = join(dir, `input-${lines.length}-${required.length}.jsonl`);
  writeFileSync(file, lines.join("\n") + "\n");
  const records: InputRecord[] = [];
  for await (const record of readInput(file, required)) records.push(record);
  return { file, records };
}

describe("readInput", () => {
  it("reports each bad line with its NX5xxx code and reads the rest", async () => {
    const { file, records } = await read(
      [
        '{"id": "a", "title": "x"}',
        '{"id": "b", "title": ',
        "[1, 2]",
        '"text"',
        '{"id": "a", "title": "y"}',
        '{"id": "c"}',
        "",
        "7",
      ],
      ["title"],
    );
    expect(records).toEqual([
      { kind: "item", line: 1, id: "a", state: { id: "a", title: "x" } },
      {
        kind: "invalid",
        line: 2,
        id: "2",
        error: `${file}:2:1: error[NX5001]: not valid JSON (Unexpected end of JSON input)`,
      },
      {
        kind: "invalid",
        line: 3,
        id: "3",
        error: `${file}:3:1: error[NX5002]: an item must be a JSON object of state fields, got an array`,
      },
      {
        kind: "invalid",
        line: 4,
        id: "4",
        error: `${file}:4:1: error[NX5002]: an item must be a JSON object of state fields, got a string`,
      },
      {
        kind: "invalid",
        line: 5,
        id: "a@5",
        error: `${file}:5:1: error[NX5003]: duplicate id 'a' (first used on line 1); give every item its own id`,
      },
      {
        kind: "invalid",
        line: 6,
        id: "c",
        error: `${file}:6:1: error[NX5004]: missing field 'title' that the workflow needs`,
      },
      {
        kind: "invalid",
        line: 8,
        id: "8",
        error: `${file}:8:1: error[NX5002]: an item must be a JSON object of state fields, got a number`,
      },
    ]);
  });

  it("points a JSON syntax error at the character where parsing stopped", async () => {
    const { file, records } = await read(['{"id": "a", "n": 1}', '{"id": "b", "n": 1,, "m": 2}']);
    expect(records[1]).toMatchObject({ kind: "invalid", line: 2 });
    expect((records[1] as { error: string }).error).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:20: error\\[NX5001\\]: not valid JSON \\(`),
    );
  });

  it("names every missing field of a line in one diagnostic", async () => {
    const { file, records } = await read(['{"id": "a"}'], ["title", "abstract"]);
    expect(records).toEqual([
      {
        kind: "invalid",
        line: 1,
        id: "a",
        error: `${file}:1:1: error[NX5004]: missing fields 'title', 'abstract' that the workflow needs`,
      },
    ]);
  });
});
