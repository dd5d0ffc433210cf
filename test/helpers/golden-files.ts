// Golden files: compare output with an expected file, or (re)write the file when UPDATE_GOLDEN=1
// (`npm run golden:update`). Expected files are generated, never edited by hand.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { expect } from "vitest";

export const UPDATING_GOLDEN = process.env.UPDATE_GOLDEN === "1";

/** Asserts `actual` equals the file's text (or writes it when updating). */
export function expectGolden(file: string, actual: string): void {
  if (UPDATING_GOLDEN) {
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `${file} is missing; run \`npm run golden:update\``).toBe(true);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

/**
 * For output that only some cases have (diagnostics): `actual` undefined means the case must not have the file.
 * Updating writes or deletes the file.
 */
export function expectOptionalGolden(file: string, actual: string | undefined): void {
  if (actual !== undefined) return expectGolden(file, actual);
  if (UPDATING_GOLDEN) rmSync(file, { force: true });
  else expect(existsSync(file), `${file} exists but the case produced no such output`).toBe(false);
}
