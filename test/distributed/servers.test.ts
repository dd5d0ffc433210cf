// The test servers themselves: a real redis-server (append-only file on, survives a kill -9) and a real PostgreSQL,
// each on a free loopback port in a temporary folder, gone afterwards.
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import pg from "pg";
import { startPostgres, startRedis, type PostgresServer, type RedisServer } from "../helpers/servers.js";

describe("test servers", () => {
  let redis: RedisServer | undefined;
  let postgres: PostgresServer | undefined;
  afterAll(async () => {
    await redis?.stop();
    await postgres?.stop();
  });

  it("redis keeps acknowledged writes across a kill -9 through its append-only file", async () => {
    redis = await startRedis();
    const client = new Redis(redis.url, { maxRetriesPerRequest: null, lazyConnect: true });
    await client.connect();
    await client.set("answer", "42");
    client.disconnect();
    await redis.kill();
    await redis.restart();
    const again = new Redis(redis.url);
    expect(await again.get("answer")).toBe("42");
    again.disconnect();
    const dir = redis.dir;
    await redis.stop();
    redis = undefined;
    expect(existsSync(dir)).toBe(false);
  });

  it("postgres accepts connections on its own port and is removed when stopped", async () => {
    postgres = await startPostgres();
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    const { rows } = await client.query<{ n: number }>("SELECT 1 + 1 AS n");
    expect(rows[0].n).toBe(2);
    await client.end();
    const dir = postgres.dir;
    await postgres.stop();
    postgres = undefined;
    expect(existsSync(dir)).toBe(false);
  });
});
