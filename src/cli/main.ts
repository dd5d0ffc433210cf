// The `nexus` command line: one subcommand per file in ./commands. Returns the process exit code:
// 0 success, 1 the input has errors (diagnostics printed), 2 bad usage.
import { Command, CommanderError } from "commander";
import { registerBatchesCommand } from "./commands/batches.js";
import { registerBuildCommand } from "./commands/build.js";
import { registerInspectCommand } from "./commands/inspect.js";
import { registerRunCommand } from "./commands/run.js";
import { registerSimCommand } from "./commands/sim.js";
import { VERSION } from "../version.js";

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const setExitCode = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  const program = new Command()
    .name("nexus")
    .description("Compiler and batch runtime for agent workflows")
    .version(VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerBuildCommand(program, setExitCode);
  registerInspectCommand(program, setExitCode);
  registerRunCommand(program, setExitCode);
  registerBatchesCommand(program, setExitCode);
  registerSimCommand(program, setExitCode);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
  return exitCode;
}
