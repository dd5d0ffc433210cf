// The IR file is replaced only by a complete new one: a write that fails part-way leaves the previous file as it
// was and no temporary file behind; a build with errors writes nothing.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileText } from "../../src/driver/compile.js";
import { writeIrFile } from "../../src/ir/serialize.js";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";

const MANIFEST = [
  "name: keep-me",
  'default_model: "openai://small"',
  "graphs:",
  "  - name: main",
  "    entry_node: a",
  "    nodes:",
  '      - { id: a, kind: llm, prompt: "p" }',
  "    edges: []",
  "",
].join("\n");

let scratch: string;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "nexus-ir-write-"));
  await ensureCliBuilt();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("writing the IR file", () => {
  it("leaves the previous file whole when serialization fails part-way", () => {
    const path = join(scratch, "keep-me.nexus.json");
    const workflow = compileText("keep.yaml", MANIFEST).workflow!;
    writeIrFile(path, workflow);
    const good = readFileSync(path, "utf8");
    workflow.mainGraph.node("a").metadata = { unserializable: 1n };
    expect(() => writeIrFile(path, workflow)).toThrow(/BigInt/);
    expect(readFileSync(path, "utf8")).toBe(good);
    expect(readdirSync(scratch).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("nexus build with errors does not touch a good IR file of the same name", async () => {
    const out = join(scratch, "cli");
    const good = join(scratch, "keep-me.yaml");
    writeFileSync(good, MANIFEST);
    expect((await nexus("build", good, "-o", out)).status).toBe(0);
    const before = readFileSync(join(out, "keep-me.nexus.json"), "utf8");
    const broken = join(scratch, "broken.yaml");
    writeFileSync(broken, MANIFEST.replace("edges: []", "edges: [{ from_node: a, to_node: nowhere }]"));
    const run = await nexus("build", broken, "-o", out);
    expect(run.status).toBe(1);
    expect(readFileSync(join(out, "keep-me.nexus.json"), "utf8")).toBe(before);
    expect(existsSync(join(out, "keep-me.nexus.json"))).toBe(true);
    expect(readdirSync(out)).toEqual(["keep-me.nexus.json"]);
  });
});
