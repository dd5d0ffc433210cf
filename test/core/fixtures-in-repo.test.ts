// A fresh clone passes its own tests: every input the tests read lives inside the repository, with its source and
// licence noted beside it, and no file of the project reaches outside the repository for one.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, UAN_DIR, UAN_FIXTURES } from "../helpers/paths.js";

/** Text files of the project (sources, tests, benchmarks, examples, docs), without installed or built output. */
function projectFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (["node_modules", "dist", "build", ".git"].includes(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return projectFiles(path);
    return /\.(ts|js|mjs|json|ya?ml|md|txt)$/.test(name) ? [path] : [];
  });
}

describe("test inputs live in the repository", () => {
  it("keeps the UAN fixtures under test/fixtures with their source and licence", () => {
    expect(relative(REPO_ROOT, UAN_DIR).startsWith("..")).toBe(false);
    for (const name of [...UAN_FIXTURES, "LICENSE", "README.md"])
      expect(existsSync(join(UAN_DIR, name)), name).toBe(true);
    expect(readFileSync(join(UAN_DIR, "README.md"), "utf8")).toMatch(/MIT/);
  });

  it("has no file that reads the fixtures from a folder beside the repository", () => {
    const outside = /\.\.\/shared\/|shared\/fixtures/;
    const offenders = projectFiles(REPO_ROOT)
      .filter((file) => !file.endsWith("fixtures-in-repo.test.ts"))
      .filter((file) => outside.test(readFileSync(file, "utf8")));
    expect(offenders.map((file) => relative(REPO_ROOT, file))).toEqual([]);
  });
});
