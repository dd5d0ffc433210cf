// One server for the gateway overhead bench, in its own process (as a gateway runs beside its clients): `gateway`
// is startGateway on `instant://`; `bare` is a plain node:http server that parses the body and answers a fixed chat
// completion, the same HTTP hop without Nexus. Prints {"url": ...} once listening; serves until SIGTERM.
import { createServer } from "node:http";
import { startGateway } from "../../src/gateway/index.js";
import { listen } from "../../src/util/listen.js";

const mode = process.argv[2];
let url: string;
if (mode === "gateway") url = (await startGateway({ backend: "instant://" })).url;
else {
  const answer = (model: string) =>
    JSON.stringify({
      id: "chatcmpl-bare",
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop", logprobs: null }],
      usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
    });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { model: string };
      const text = answer(body.model);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 30_000;
  url = (await listen(server)).url;
}
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.once("SIGTERM", () => process.exit(0));
