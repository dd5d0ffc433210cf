// The `nexus` command line: one subcommand per file in ./commands. Returns the process exit code (see
// exit-codes.ts): a user's mistake prints one line and never a stack trace.
import { Command, CommanderError } from "commander";
import { registerBatchesCommand } from "./commands/batches.js";
import { registerBuildCommand } from "./commands/build.js";
import { registerInspectCommand } from "./commands/inspect.js";
import { registerReportCommand } from "./commands/report.js";
import { registerRunCommand } from "./commands/run.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerSimCommand } from "./commands/sim.js";
import { registerStatusCommand } from "./commands/status.js";
import { registerWorkerCommand } from "./commands/worker.js";
import { EXIT, EXIT_CODE_HELP, reportEscapedError } from "./exit-codes.js";
import { VERSION } from "../version.js";

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExitCode = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  const program = new Command()
    .name("nexus")
    .description("Compiler and batch runtime for agent workflows")
    .version(VERSION)
    // One line per usage error: the pointer to --help goes on the same line.
    .configureOutput({
      outputError: (text, write) => write(text.replace(/\n?$/, " (run with --help for usage)\n")),
    })
    .addHelpText("after", `\n${EXIT_CODE_HELP}`)
    .exitOverride();
  registerBuildCommand(program, setExitCode);
  registerInspectCommand(program, setExitCode);
  registerRunCommand(program, setExitCode);
  registerBatchesCommand(program, setExitCode);
  registerSimCommand(program, setExitCode);
  registerReportCommand(program, setExitCode);
  registerServeCommand(program);
  registerWorkerCommand(program);
  registerStatusCommand(program);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return reportEscapedError(error);
  }
  return exitCode;
}
