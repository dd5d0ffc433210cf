// What the run record costs per item: the calls one item of a one-model-node workflow makes into `RunStats.record`
// (its node counted, one request started, ended and answered, one flush, an edge taken, the item finished), timed
// over many items, next to the same loop without the record calls. Prints a table.
//
//   npx tsx bench/record-bench.ts [--items 1000000]
import { parseArgs } from "node:util";
import { RunRecord } from "../src/runtime/record/run-record.js";

const { values } = parseArgs({ options: { items: { type: "string", default: "1000000" } } });
const items = Number(values.items);
const ref = { graph: "main", node: "answer" };
const usage = { promptTokens: 120, cachedTokens: 100, completionTokens: 8, cacheWriteTokens: 0 };

function withRecord(): number {
  const record = new RunRecord(performance.now());
  const started = performance.now();
  for (let i = 0; i < items; i++) {
    record.node(ref).items++;
    record.flushed([ref], [0.4]);
    record.requestStarted(1);
    record.requestEnded(ref, 1.5 + (i % 7), 0);
    record.requestAnswered(ref, "openai://m", usage);
    record.edgeTaken("main", "e0");
    record.itemsFinished(1, 0);
  }
  return performance.now() - started;
}

function withoutRecord(): number {
  let sink = 0;
  const started = performance.now();
  for (let i = 0; i < items; i++) sink += usage.promptTokens + (i % 7);
  if (sink < 0) console.log(sink);
  return performance.now() - started;
}

const rows: [string, number][] = [];
for (let run = 0; run < 3; run++) {
  rows.push(["loop without the record", withoutRecord()], ["loop with the record calls", withRecord()]);
}
const best = (name: string) => Math.min(...rows.filter(([n]) => n === name).map(([, ms]) => ms));
console.log(`run record cost, ${items.toLocaleString("en-US")} items (best of 3)`);
console.log("row                           total ms   ns/item");
for (const name of ["loop without the record", "loop with the record calls"]) {
  const ms = best(name);
  console.log(`${name.padEnd(30)}${ms.toFixed(1).padStart(8)}${((ms * 1e6) / items).toFixed(0).padStart(10)}`);
}
