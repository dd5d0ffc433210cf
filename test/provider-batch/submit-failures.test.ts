// When the create call itself fails: an answer lost after the provider created the batch (timeout, dropped
// connection, 5xx) must lead to a lookup by marker and never to a second batch; a refusal (4xx) fails the requests with
// the provider's message; a failed upload (nothing created) is sent again after a pause. The drivers are the real
// SDK drivers, wrapped to fail the way the network would.
import { afterAll, describe, expect, it } from "vitest";
import {
  BatchJournal,
  createBatchDriver,
  parseProviderBatchSpec,
  ProviderBatchBackend,
  type BatchDriver,
} from "../../src/backends/provider-batch/index.js";
import { completeTickets, journalBatches, journalPath, ticketRequest } from "./helpers/backend.js";
import { backendUrl, closeSimServers, simServer, simStats } from "./helpers/sim.js";

process.env.ANTHROPIC_API_KEY ??= "test-key";
process.env.OPENAI_API_KEY ??= "test-key";
afterAll(closeSimServers);

class FakeHttpError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The real driver, whose first `failures` submissions fail as `fail` says. */
function flaky(
  driver: BatchDriver,
  fail: (submit: () => ReturnType<BatchDriver["submit"]>, args: Parameters<BatchDriver["submit"]>) => Promise<never>,
  failures = 1,
) {
  let left = failures;
  return new Proxy(driver, {
    get(target, property, receiver) {
      if (property !== "submit") return Reflect.get(target, property, receiver) as unknown;
      return (...args: Parameters<BatchDriver["submit"]>) =>
        left-- > 0 ? fail(() => target.submit(...args), args) : target.submit(...args);
    },
  });
}

function backendWith(url: string, wrap: (driver: BatchDriver) => BatchDriver) {
  const options = parseProviderBatchSpec(url);
  const journal = journalPath();
  const db = BatchJournal.open(journal, { resume: false, provider: options.provider, spec: url });
  return { backend: new ProviderBatchBackend(wrap(createBatchDriver(options)), db, options, () => {}), journal };
}

describe("create calls that fail", () => {
  it("an answer lost after the batch was created: found by marker, never created twice", async () => {
    for (const scheme of ["anthropic-batch", "openai-batch"] as const) {
      const sim = await simServer();
      const { backend, journal } = backendWith(backendUrl(scheme, sim, "prefix-write=off"), (driver) =>
        flaky(driver, async (submit) => {
          await submit();
          throw new FakeHttpError(undefined, "socket hang up");
        }),
      );
      const model = scheme === "openai-batch" ? { model: "gpt-4o-mini" } : {};
      const settled = await completeTickets(backend, 4, (i) => ticketRequest(i, model));
      await backend.close();
      expect(settled.every((s) => s.status === "fulfilled")).toBe(true);
      expect(journalBatches(journal)).toEqual([
        expect.objectContaining({ status: "done", adoption: expect.stringMatching(/found|likely/) }),
      ]);
      const provider = (await simStats(sim)).providers[scheme === "anthropic-batch" ? "anthropic" : "openai"];
      expect(provider).toMatchObject({ batches: 1, batchRequests: 4 });
    }
  });

  it("a refused create (400) fails its requests with the provider's message", async () => {
    const sim = await simServer();
    const { backend } = backendWith(backendUrl("anthropic-batch", sim), (driver) =>
      flaky(driver, async (_submit, [, , beforeCreate]) => {
        beforeCreate({}); // the create call was made, and refused
        throw new FakeHttpError(400, "requests.0.custom_id: bad");
      }),
    );
    const settled = await completeTickets(backend, 2);
    await backend.close();
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected"]);
    expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(/requests.0.custom_id: bad/);
    expect((await simStats(sim)).providers.anthropic.batches).toBe(0);
  });

  it("a failed upload (nothing created) is sent again after a pause", async () => {
    const sim = await simServer();
    const { backend, journal } = backendWith(backendUrl("openai-batch", sim), (driver) =>
      flaky(driver, async () => {
        throw new FakeHttpError(503, "upload failed");
      }),
    );
    const settled = await completeTickets(backend, 3, (i) => ticketRequest(i, { model: "gpt-4o-mini" }));
    await backend.close();
    expect(settled.every((s) => s.status === "fulfilled")).toBe(true);
    expect(journalBatches(journal).map((b) => b.status)).toEqual(["abandoned", "done"]);
    expect((await simStats(sim)).providers.openai).toMatchObject({ batches: 1, batchRequests: 3 });
  });

  it("an OpenAI batch that fails validation: the line it names fails as invalid, the others go again", async () => {
    const sim = await simServer();
    const { backend } = backendWith(backendUrl("openai-batch", sim), (driver) =>
      flaky(driver, (_submit, [marker, lines, beforeCreate]) => {
        const broken = lines.map((line, i) => (i === 1 ? { ...line, body: "not an object" as never } : line));
        return driver.submit(marker, broken, beforeCreate) as Promise<never>;
      }),
    );
    const settled = await completeTickets(backend, 3, (i) => ticketRequest(i, { model: "gpt-4o-mini" }));
    await backend.close();
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/invalid request: missing_required_parameter/);
  });
});
