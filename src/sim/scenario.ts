// Scenario: the simulated model's behaviour, from a JSON/YAML file (`nexus sim --scenario FILE`) or an object.
//
// All fields are optional:
//   outputTokens: 32            tokens in a plain-text answer (JSON answers have their natural length);
//                               `max_tokens` still truncates (finish_reason "length")
//   seed: "s1"                  mixed into every answer's seed (answers are otherwise a pure function of the request)
//   toolCalls:                  behaviour when a request offers tools and tool_choice is not "none";
//                               `false` disables tool calls (a forced tool_choice is still honoured)
//     tool: lookup              tool to call (default: the first tool offered; must be among the offered tools)
//     turns: 1                  model turns that call a tool before the final answer. The turn is decided from the
//                               conversation: turn = 1 + assistant messages that already carry tool calls
//     parallel: 1               tool calls per turn
//     keyPattern: "agent (\\d+)" regex with one capture group, matched against the user messages, giving the
//                               agent key. An integer key k picks value number (k * parallel + call) % distinct,
//                               so distinct counts are exact; otherwise (or no match) the key is a hash of the
//                               first user message
//     argValues:                per-argument small value sets, so identical calls repeat across agents:
//       city: { distinct: 9 }   values taken from the parameter's enum, else integers from its minimum, else
//                               strings "city-1".."city-9"
//       unit: { values: [C, F] } explicit values (distinct defaults to values.length)
//     Arguments without an entry are sampled from the tool's JSON schema, seeded by the chosen values when any
//     argValues apply (so the whole call repeats), else by the request.
//   packFaults:                 packed requests (src/sim/packed-answers.ts) answered wrongly on purpose, each with a
//     drop: 0.1                 probability per packed request: leave one _uid unanswered,
//     duplicate: 0.1            answer one _uid twice (the second time with another item's answer),
//     swap: 0.1                 swap the results of two _uids,
//     invalidJson: 0.1          write one result as broken JSON

import { readFileSync } from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";

const ArgValuesSchema = z.strictObject({
  distinct: z.number().int().min(1).optional(),
  values: z
    .array(z.union([z.string(), z.number(), z.boolean()]))
    .min(1)
    .optional(),
});

const ToolCallsSchema = z.strictObject({
  tool: z.string().min(1).optional(),
  turns: z.number().int().min(0).default(1),
  parallel: z.number().int().min(1).max(16).default(1),
  keyPattern: z
    .string()
    .refine((p) => {
      try {
        new RegExp(p);
        return true;
      } catch {
        return false;
      }
    }, "keyPattern must be a valid regular expression")
    .optional(),
  argValues: z.record(z.string(), ArgValuesSchema).default({}),
});

const rate = z.number().min(0).max(1).optional();
const PackFaultsSchema = z.strictObject({ drop: rate, duplicate: rate, swap: rate, invalidJson: rate });

export const ScenarioSchema = z.strictObject({
  outputTokens: z.number().int().min(1).max(100_000).default(32),
  seed: z.union([z.string(), z.number()]).optional(),
  toolCalls: z.union([z.literal(false), ToolCallsSchema]).default({ turns: 1, parallel: 1, argValues: {} }),
  packFaults: PackFaultsSchema.optional(),
});

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ToolCallScenario = z.output<typeof ToolCallsSchema>;
export type PackFaults = z.output<typeof PackFaultsSchema>;

export function parseScenario(input: unknown, source = "scenario"): Scenario {
  const result = ScenarioSchema.safeParse(input ?? {});
  if (!result.success) throw new Error(`invalid ${source}:\n${z.prettifyError(result.error)}`);
  return result.data;
}

/** A scenario file that cannot be read or is not a scenario; the message is one line and never quotes the file. */
export class ScenarioFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScenarioFileError";
  }
}

/** What is wrong with a scenario, by field path and kind of problem, without the values or keys found. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const at = issue.path.length > 0 ? issue.path.join(".") : "the top level";
  if (issue.code === "unrecognized_keys") return `unknown field at ${at}`;
  return `${at}: ${issue.message}`;
}

/**
 * Reads a scenario from a JSON or YAML file, synchronously. Errors are one line naming the file and what is wrong
 * (a read error's code, a syntax error's position, the first invalid field): a scenario path may be any file, and
 * its contents must not be printed.
 */
export function readScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "read error";
    throw new ScenarioFileError(`cannot read scenario file ${file} (${code})`);
  }
  let data: unknown;
  try {
    data = parseYaml(text); // JSON is YAML
  } catch (error) {
    const position = error instanceof YAMLParseError ? error.linePos?.[0] : undefined;
    const where = position ? ` (line ${position.line}, column ${position.col})` : "";
    throw new ScenarioFileError(`scenario file ${file} is not valid JSON or YAML${where}`);
  }
  const result = ScenarioSchema.safeParse(data ?? {});
  if (!result.success)
    throw new ScenarioFileError(`scenario file ${file} is not a scenario: ${describeIssue(result.error.issues[0])}`);
  return result.data;
}

/** Load a scenario from a .json, .yaml or .yml file (see readScenarioFile). */
export async function loadScenario(file: string): Promise<Scenario> {
  return readScenarioFile(file);
}

export const DEFAULT_SCENARIO: Scenario = parseScenario({});
