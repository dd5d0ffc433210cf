// Runs the simulator in its own process for the benchmark (the engine stands for a separate GPU server, so its
// CPU work must not compete with the client's event loop). Options come as JSON in argv[2]; prints
// {"url": ...} on stdout once listening and serves until SIGTERM/SIGINT.

import { startSimServer, type SimServerOptions } from "../../src/sim/index.js";

const options = JSON.parse(process.argv[2] ?? "{}") as SimServerOptions;
const sim = await startSimServer({ ...options, port: 0 });
process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
const stop = () => void sim.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
