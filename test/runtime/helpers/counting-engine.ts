// The simulator as an OpenAI-compatible engine on loopback, behind a front that counts what it is paid for: every
// chat request that is not a one-token prefix warm-up, by its last user message (one item's request in the one-model
// workflow). A request counted twice was paid twice. The front can also refuse requests (HTTP 400, a permanent
// error that fails the item) while `failing` says so: an engine that is down for some items and comes back; and it
// can stall (`pause`), so a test can act while a run is surely still running.
import { startSimServer, type SimServer } from "../../../src/sim/index.js";
import { forward, sendJson, startServer, type TestServer } from "./http-servers.js";

export interface CountingEngine {
  /** `vllm://127.0.0.1:PORT` */
  backend: string;
  /** Paid requests per last user message. */
  paid: Map<string, number>;
  /** Requests whose last user message this returns true for are refused with 400. */
  failing: (content: string) => boolean;
  /** Paid requests in all. */
  total(): number;
  /** Messages paid for more than once. */
  paidTwice(): string[];
  /** Holds every chat request from now on (the engine stalls) until `unpause`. */
  pause(): void;
  /** Holds the requests this returns true for (from now on) until `unpause`. */
  holding: (content: string) => boolean;
  unpause(): void;
  /** True while requests are held. */
  paused(): boolean;
  close(): Promise<void>;
}

function lastUserMessage(body: Record<string, unknown>): string {
  const messages = (body.messages ?? []) as { role: string; content: unknown }[];
  const user = messages.filter((m) => m.role === "user").at(-1);
  return typeof user?.content === "string" ? user.content : JSON.stringify(user?.content);
}

export async function startCountingEngine(timeScale = 0.001): Promise<CountingEngine> {
  const sim: SimServer = await startSimServer({ timeScale });
  const engine: Partial<CountingEngine> & { paid: Map<string, number> } = {
    paid: new Map(),
    failing: () => false,
    holding: () => false,
  };
  let gate: Promise<void> | undefined;
  let open = () => {};
  const front: TestServer = await startServer(async (request, res) => {
    const chat = request.path.endsWith("/chat/completions");
    const content = chat ? lastUserMessage(request.body) : "";
    if (chat && engine.holding!(content)) engine.pause!();
    if (chat) await gate;
    if (chat && engine.failing!(content)) return sendJson(res, 400, { error: { message: `refused: ${content}` } });
    if (chat && request.body.max_tokens !== 1) engine.paid.set(content, (engine.paid.get(content) ?? 0) + 1);
    await forward(sim.url, request, res);
  });
  return Object.assign(engine, {
    backend: `vllm://127.0.0.1:${front.port}`,
    total: () => [...engine.paid.values()].reduce((a, b) => a + b, 0),
    paidTwice: () => [...engine.paid].filter(([, n]) => n > 1).map(([content]) => content),
    pause: () => {
      gate ??= new Promise<void>((resolve) => (open = resolve));
    },
    unpause: () => {
      engine.holding = () => false;
      open();
      gate = undefined;
    },
    paused: () => gate !== undefined,
    close: async () => {
      open();
      await front.close();
      await sim.close();
    },
  }) as CountingEngine;
}
