// Worker of bench/fuzz-compile.ts: compiles each case it is sent and answers with the outcome. Runs in its own thread
// so the main thread can count a case that never returns (a hang) or kills the thread (out of memory) and go on.
import { parentPort } from "node:worker_threads";
import { checkCase } from "../test/fuzz/check-case.js";

parentPort!.on("message", ({ file, text, limitMs }: { file: string; text: string; limitMs: number }) => {
  parentPort!.postMessage(checkCase(file, text, limitMs));
});
