import { defineConfig } from "tsup";

// ESM bundles for the CLI and the library entry point, with the library's type declarations (dist/index.d.ts);
// dependencies stay external and resolve from node_modules. The declarations take most of the build time (they
// type-check the program): NEXUS_SKIP_DTS=1 leaves them out, for rebuilds that only run the CLI (the tests').
export default defineConfig({
  entry: { cli: "src/cli/main.ts", index: "src/index.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  sourcemap: true,
  clean: true,
  splitting: true,
  dts: process.env.NEXUS_SKIP_DTS === "1" ? false : { entry: { index: "src/index.ts" } },
});
