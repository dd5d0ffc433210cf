// Parsers for option values, run by commander as it reads the command line: a bad value is a usage error (one line,
// exit 2) naming the flag and what it takes, before anything runs.
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import { parseDuration } from "../util/units.js";
import { UsageError } from "../util/user-errors.js";

/** An integer >= 1. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a whole number of 1 or more, got '${value}'.`);
  return n;
}

/** An integer 0-65535. */
export function portNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`expected a port number 0-65535, got '${value}'.`);
  return n;
}

/** A number > 0. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected a number greater than 0, got '${value}'.`);
  return n;
}

/** A number >= 0. */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`expected a number of 0 or more, got '${value}'.`);
  return n;
}

/** A duration (`500ms`, `30s`, `5m`, `1h`) in milliseconds, greater than 0. */
export function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new InvalidArgumentError(`expected a duration such as 500ms, 30s, 5m or 1h, got '${value}'.`);
  return ms;
}

/** `auto`, or a duration in milliseconds. */
export function durationOrAuto(value: string): number | "auto" {
  return value === "auto" ? "auto" : duration(value);
}

/** For repeatable options: each value is added to the list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Checks that a file can be written where `flag` says: its folder exists and it is not a folder itself. */
export function checkWritableFile(file: string, flag: string): void {
  const folder = dirname(resolve(file));
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new UsageError(`${flag} ${file}: the folder ${dirname(file)} does not exist (create it first)`);
  if (existsSync(file) && statSync(file).isDirectory())
    throw new UsageError(`${flag} ${file} is a folder; name a file`);
}

/** The one default of `--time-scale` wherever the simulator runs (`nexus sim`, `nexus run` on sim://). */
export const DEFAULT_TIME_SCALE = "0.05";
