import { defineConfig } from "tsup";

// ESM bundles for the CLI, the library entry point and the drop-ins (`nexus-batch/langchain`, ...), with the
// library's type declarations (dist/index.d.ts, dist/langchain.d.ts, ...); dependencies stay external and resolve
// from node_modules. The declarations take most of the build time (they type-check the program): NEXUS_SKIP_DTS=1
// leaves them out, for rebuilds that only run the CLI (the tests').
const DROPINS = {
  langchain: "src/dropins/langchain/index.ts",
  "ai-sdk": "src/dropins/ai-sdk/index.ts",
  gateway: "src/gateway/index.ts",
  "batch-node": "src/dropins/batch-node.ts",
};

export default defineConfig({
  entry: { cli: "src/cli/main.ts", index: "src/index.ts", ...DROPINS },
  format: ["esm"],
  target: "node20",
  platform: "node",
  sourcemap: true,
  clean: true,
  splitting: true,
  dts: process.env.NEXUS_SKIP_DTS === "1" ? false : { entry: { index: "src/index.ts", ...DROPINS } },
});
