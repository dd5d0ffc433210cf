import { defineConfig } from "tsup";

// One ESM bundle for the CLI; dependencies stay external and resolve from node_modules.
export default defineConfig({
  entry: { cli: "src/cli/main.ts", index: "src/index.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  sourcemap: true,
  clean: true,
  splitting: true,
  dts: false,
});
