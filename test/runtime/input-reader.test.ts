// The run's input as a user's files and programs give it: byte order marks, UTF-16 files (as Windows tools write
// them), a directory by mistake, ids that are not strings or numbers, items handed over as objects or a stream.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readInput, type InputRecord, type RunInput } from "../../src/runtime/input-reader.js";
import { countInputItems } from "../../src/runtime/input-source.js";
import { useScratchDir } from "./helpers/run-fixture.js";

const scratch = useScratchDir("nexus-input-test-");

async function records(input: RunInput, required: string[] = []): Promise<InputRecord[]> {
  const all: InputRecord[] = [];
  for await (const record of readInput(input, required)) all.push(record);
  return all;
}

const TEXT = '{"id": "a", "q": "é?"}\n{"q": "second"}\n';

function file(name: string, bytes: Buffer): string {
  const path = join(scratch(), name);
  writeFileSync(path, bytes);
  return path;
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, "utf16le");
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]];
  return le;
}

const expected = [
  { kind: "item", line: 1, id: "a", state: { id: "a", q: "é?" } },
  { kind: "item", line: 2, id: "2", state: { q: "second" } },
];

describe("encodings", () => {
  it("reads UTF-8 with and without a byte order mark, and CRLF line ends", async () => {
    expect(await records(file("plain.jsonl", Buffer.from(TEXT)))).toEqual(expected);
    expect(await records(file("bom.jsonl", Buffer.from("\ufeff" + TEXT)))).toEqual(expected);
    expect(await records(file("crlf.jsonl", Buffer.from(TEXT.replaceAll("\n", "\r\n"))))).toEqual(expected);
  });

  it("decodes UTF-16 little and big endian, with a byte order mark or without", async () => {
    const inputs = {
      "le-bom": Buffer.from("\ufeff" + TEXT, "utf16le"),
      le: Buffer.from(TEXT, "utf16le"),
      "be-bom": utf16be("\ufeff" + TEXT),
      be: utf16be(TEXT),
    };
    for (const [name, bytes] of Object.entries(inputs)) {
      const path = file(`${name}.jsonl`, bytes);
      expect(await records(path), name).toEqual(expected);
      expect(await countInputItems(path), name).toBe(2);
    }
  });

  it("tells the encoding by two bytes even when a stream delivers one byte at a time", async () => {
    const bytes = Buffer.from("\ufeff" + TEXT, "utf16le");
    const stream = Readable.from(
      (function* () {
        for (const byte of bytes) yield Buffer.from([byte]);
      })(),
    );
    expect(await records(stream)).toEqual(expected);
  });

  it("reads a JSONL stream (stdin) like a file, naming it <stdin> in errors", async () => {
    const got = await records(Readable.from([Buffer.from('{"q": 1}\n{"q": '), Buffer.from("2}\nnot json\n")]));
    expect(got.slice(0, 2)).toEqual([
      { kind: "item", line: 1, id: "1", state: { q: 1 } },
      { kind: "item", line: 2, id: "2", state: { q: 2 } },
    ]);
    expect(got[2]).toMatchObject({
      kind: "invalid",
      line: 3,
      error: expect.stringMatching(/^<stdin>:3:1: error\[NX5001\]: not valid JSON/),
    });
  });
});

describe("the input as a whole", () => {
  it("names a directory in one line instead of a raw EISDIR", async () => {
    const dir = join(scratch(), "items.jsonl");
    mkdirSync(dir);
    await expect(records(dir)).rejects.toMatchObject({
      name: "InputError",
      message: `input '${dir}' is a directory, not a JSONL file`,
    });
  });

  it("names a missing file", async () => {
    const missing = join(scratch(), "missing.jsonl");
    await expect(records(missing)).rejects.toThrow(`input file '${missing}' does not exist`);
  });
});

describe("ids", () => {
  it("takes string and number ids as they are and gives id-less items their line number", async () => {
    const path = file("ids.jsonl", Buffer.from('{"id": "x"}\n{"id": 7}\n\n{"q": 1}\n{"id": 2.5}\n'));
    expect((await records(path)).map((r) => [r.kind, r.id, r.line])).toEqual([
      ["item", "x", 1],
      ["item", "7", 2],
      ["item", "4", 4],
      ["item", "2.5", 5],
    ]);
  });

  it("fails the line of an id that is an object, an array, a boolean, null or empty, and only that line", async () => {
    const lines = ['{"id": {"x": 2}}', '{"id": [1]}', '{"id": true}', '{"id": null}', '{"id": ""}', '{"id": "ok"}'];
    const path = file("bad-ids.jsonl", Buffer.from(lines.join("\n")));
    const got = await records(path);
    const rule = "an id must be a string or a number";
    expect(got.map((r) => (r.kind === "invalid" ? r.error : r.id))).toEqual([
      `${path}:1:1: error[NX5005]: the id is an object; ${rule}`,
      `${path}:2:1: error[NX5005]: the id is an array; ${rule}`,
      `${path}:3:1: error[NX5005]: the id is a boolean; ${rule}`,
      `${path}:4:1: error[NX5005]: the id is null; ${rule}`,
      `${path}:5:1: error[NX5005]: the id is an empty string; ${rule}`,
      "ok",
    ]);
    expect(got.every((r) => r.id !== "[object Object]")).toBe(true);
  });

  it("gives a line without a usable id its line number as result id, like an item without an id field", async () => {
    const path = file("null-id.jsonl", Buffer.from('{"id": "2", "q": 1}\n{"id": null, "q": 2}\nnot json\n{"id": 3}\n'));
    const got = await records(path);
    expect(got.map((r) => [r.kind, r.id])).toEqual([
      ["item", "2"],
      ["invalid", "2@2"],
      ["invalid", "3"],
      ["invalid", "3@4"],
    ]);
    expect(got[1]).toMatchObject({ error: expect.stringContaining(":2:1: error[NX5005]: the id is null") });
  });
});

describe("items handed over as objects", () => {
  it("checks an array or an async iterable of objects like lines, numbering them from 1", async () => {
    async function* generated() {
      yield { id: "a", q: "x" };
      yield { q: "y" };
      yield { id: "a", q: "z" };
      yield ["not", "an", "object"] as unknown as Record<string, unknown>;
      yield { id: "b" };
    }
    const expectedRecords = [
      { kind: "item", line: 1, id: "a", state: { id: "a", q: "x" } },
      { kind: "item", line: 2, id: "2", state: { q: "y" } },
      {
        kind: "invalid",
        line: 3,
        id: "a@3",
        error: "<items>:3:1: error[NX5003]: duplicate id 'a' (first used on line 1); give every item its own id",
      },
      {
        kind: "invalid",
        line: 4,
        id: "4",
        error: "<items>:4:1: error[NX5002]: an item must be a JSON object of state fields, got an array",
      },
      {
        kind: "invalid",
        line: 5,
        id: "b",
        error: "<items>:5:1: error[NX5004]: missing field 'q' that the workflow needs",
      },
    ];
    expect(await records(generated(), ["q"])).toEqual(expectedRecords);
    const array: Record<string, unknown>[] = [];
    for await (const item of generated()) array.push(item);
    expect(await records(array, ["q"])).toEqual(expectedRecords);
    expect(await countInputItems(array)).toBe(5);
    expect(await countInputItems(generated())).toBeUndefined();
  });
});
