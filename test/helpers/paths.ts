// Where the test inputs live, resolved from this file so tests run from any working directory.
import { fileURLToPath } from "node:url";
import { relative } from "node:path";

/** The repository root (holds package.json). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The Universal Agent Nexus fixtures (read only; source and licence in their README). */
export const UAN_DIR = fileURLToPath(new URL("../fixtures/uan/", import.meta.url));

export const UAN_FIXTURES = ["01-hello-world.yaml", "02-content-moderation.yaml", "04-support-chatbot.yaml"] as const;

/** Manifests written for the tests in the UAN fixtures' style: patterns public UAN examples use (see the README). */
export const UAN_PATTERN_FIXTURES = [
  "10-router-as-model-step.yaml",
  "11-task-default-model.yaml",
  "12-router-config-llm.yaml",
] as const;

export const PAPER_REVIEW = fileURLToPath(new URL("../../examples/paper-review/workflow.yaml", import.meta.url));

export const GOLDEN_CASES_DIR = fileURLToPath(new URL("../golden/cases/", import.meta.url));

/** A path relative to the repository root with `/` separators, for output that must not depend on the machine. */
export function repoRelative(file: string): string {
  return relative(REPO_ROOT, file).split("\\").join("/");
}
