// Servers and backends a test starts, closed after each test (last started first), with the environment variables
// the test stubbed restored: one place for what backend tests otherwise each wrote out.
import { afterEach, vi } from "vitest";
import { startSimServer, type SimServer } from "../../../src/sim/index.js";
import { startServer, type TestServer } from "./http-servers.js";

interface Closable {
  close(): Promise<void>;
}

export interface TestResources {
  /** Closes `thing` after the test; returns it. */
  track<T extends Closable>(thing: T): T;
  /** The simulator on a free loopback port (time scale 0.001 unless given). */
  sim(options?: Parameters<typeof startSimServer>[0]): Promise<SimServer>;
  /** A plain node:http server on a free loopback port. */
  server(handler: Parameters<typeof startServer>[0]): Promise<TestServer>;
}

/** Call at the top level of a test file. */
export function useTestResources(): TestResources {
  const closing: Closable[] = [];
  afterEach(async () => {
    for (const thing of closing.splice(0).reverse()) await thing.close();
    vi.unstubAllEnvs();
  });
  const track = <T extends Closable>(thing: T): T => {
    closing.push(thing);
    return thing;
  };
  return {
    track,
    sim: async (options = {}) => track(await startSimServer({ timeScale: 0.001, ...options })),
    server: async (handler) => track(await startServer(handler)),
  };
}
