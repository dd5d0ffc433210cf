#!/usr/bin/env node
// The `nexus` command: loads the bundled CLI built by `npm run build` (run automatically by `npm ci`).
import { main } from "../dist/cli.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 2;
  },
);
