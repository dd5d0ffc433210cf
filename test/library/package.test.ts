// The package as a user installs it: built (JavaScript and type declarations) and packed with `npm pack`, the tarball
// unpacked into a temporary app's node_modules, then the README's "Use as a library" example run from that app
// (`import ... from "nexus-batch"` through the exports map) and a TypeScript consumer type-checked against the
// shipped declarations. The build goes to a staging folder, so the dist/ that other tests run is never touched.
//
// Installing: `npm install <tarball>` would fetch the package's dependencies from the registry, which CI may not
// reach. The test unpacks the tarball as npm would (node_modules/nexus-batch) and links the project's installed
// dependencies next to it: what is tested is the tarball's contents, its exports map and declarations.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/paths.js";
import { useScratchDir } from "../runtime/helpers/run-fixture.js";

const scratch = useScratchDir("nexus-package-test-");
const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) =>
  execFileSync(command, args, { cwd, encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });

/** The README's library example: the first `js` code block of its "Use as a library" section. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Use as a library"));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error("README has no js example under 'Use as a library'");
  return match[1];
}

const CONSUMER_TS = `import { compileText, runWorkflow, selectBackend, type ResultLine, type RunOutcome } from "nexus-batch";

const compiled = compileText("inline.yaml", "name: x\\n");
const backend = selectBackend("instant://", { maxInflight: 4, timeScale: 1 });
if (compiled.workflow) {
  const run = runWorkflow({ workflow: compiled.workflow, input: [{ question: "q" }], backend });
  const results: ResultLine[] = [];
  for await (const result of run) results.push(result);
  const outcome: RunOutcome = await run;
  const succeeded: number = outcome.stats.succeeded;
  const status: "ok" | "error" = results[0].status;
  // @ts-expect-error: the input is a path, a stream or items, never a number
  runWorkflow({ workflow: compiled.workflow, input: 42, backend });
  // @ts-expect-error: RunOutcome has no such field
  console.log(outcome.nothing, succeeded, status);
}
`;

const DROPINS_JS = `import { NexusChatModel, closeNexusBackends } from "nexus-batch/langchain";
import { createNexus } from "nexus-batch/ai-sdk";
import { startGateway } from "nexus-batch/gateway";

const answer = await new NexusChatModel({ model: "m", backend: "instant://" }).invoke("hi");
const generated = await createNexus({ backend: "instant://" })("m").doGenerate({
  prompt: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
});
const gateway = await startGateway({ backend: "instant://" });
const response = await fetch(gateway.url + "/v1/chat/completions", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
});
const completion = await response.json();
await gateway.close();
await closeNexusBackends();
console.log(answer.content, generated.content[0].text, completion.choices[0].message.content);
`;

const DROPINS_TS = `import { NexusChatModel } from "nexus-batch/langchain";
import { createNexus, type NexusProvider } from "nexus-batch/ai-sdk";
import { startGateway, type Gateway } from "nexus-batch/gateway";

const model = new NexusChatModel({ model: "m", backend: "instant://", runId: "r1" });
const provider: NexusProvider = createNexus({ backend: "instant://" });
const spec: "v4" = provider("m").specificationVersion;
const gateway: Promise<Gateway> = startGateway({ backend: "instant://", apiKey: "k", maxQueue: 10 });
// @ts-expect-error: the model name is required
new NexusChatModel({ backend: "instant://" });
console.log(model, spec, gateway);
`;

let app = "";
let packed: string[] = [];

beforeAll(() => {
  const dir = scratch();
  const staging = join(dir, "staging");
  mkdirSync(staging);
  for (const entry of ["package.json", "README.md", "LICENSE", "bin"])
    cpSync(join(REPO_ROOT, entry), join(staging, entry), { recursive: true });
  run("npx", ["tsup", "--out-dir", join(staging, "dist")], REPO_ROOT, { ...process.env, NEXUS_SKIP_DTS: "0" });
  const [pack] = JSON.parse(run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], staging)) as {
    filename: string;
    files: { path: string }[];
  }[];
  packed = pack.files.map((file) => file.path);

  app = join(dir, "app");
  const modules = join(app, "node_modules");
  mkdirSync(modules, { recursive: true });
  run("tar", ["-xzf", join(dir, pack.filename), "-C", modules], dir);
  renameSync(join(modules, "package"), join(modules, "nexus-batch"));
  for (const entry of readdirSync(join(REPO_ROOT, "node_modules")))
    if (!entry.startsWith(".")) symlinkSync(join(REPO_ROOT, "node_modules", entry), join(modules, entry));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  cpSync(join(REPO_ROOT, "examples/paper-review/workflow.yaml"), join(app, "workflow.yaml"));
}, 300_000);

describe("the packed package", () => {
  it("holds the built library, its declarations, the CLI and the licence, and no sources or tests", () => {
    for (const file of ["package.json", "LICENSE", "README.md", "bin/nexus.js", "dist/index.js", "dist/index.d.ts"])
      expect(packed).toContain(file);
    for (const file of ["dist/langchain.js", "dist/langchain.d.ts", "dist/ai-sdk.d.ts", "dist/gateway.d.ts"])
      expect(packed).toContain(file);
    expect(packed).toContain("dist/cli.js");
    expect(packed.filter((file) => /^(src|test|bench)\//.test(file))).toEqual([]);
  });

  it("runs the README's library example, importing compileFile and runWorkflow from nexus-batch", () => {
    writeFileSync(join(app, "example.mjs"), readmeExample());
    const output = run(process.execPath, ["example.mjs"], app).trim().split("\n");
    expect(output.at(-1)).toBe("2 succeeded, 0 failed");
    expect(
      output
        .slice(0, 2)
        .map((line) => line.split(" ").slice(0, 2).join(" "))
        .sort(),
    ).toEqual(["p1 ok", "p2 ok"]);
  });

  it("type-checks a TypeScript consumer against dist/index.d.ts through the exports map", () => {
    writeFileSync(join(app, "consumer.ts"), CONSUMER_TS);
    writeFileSync(join(app, "dropins.ts"), DROPINS_TS);
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
        },
        files: ["consumer.ts", "dropins.ts"],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], {
      cwd: app,
      encoding: "utf8",
    });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  it("runs the drop-ins from their subpaths: nexus-batch/langchain, nexus-batch/ai-sdk, nexus-batch/gateway", () => {
    writeFileSync(join(app, "dropins.mjs"), DROPINS_JS);
    expect(run(process.execPath, ["dropins.mjs"], app).trim()).toBe("ok ok ok");
  });

  it("ships a working nexus binary", () => {
    const version = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version as string;
    expect(run(process.execPath, [join(app, "node_modules/nexus-batch/bin/nexus.js"), "--version"], app).trim()).toBe(
      version,
    );
  });
});
