// The library entry point (`import { compileFile, runWorkflow } from "nexus-batch"`): the compiler's phases and the
// runtime, for programs that embed Nexus.
export * from "./diagnostics/index.js";
export * from "./ir/types.js";
export { Workflow, WorkflowGraph, IR_SCHEMA_VERSION } from "./ir/workflow.js";
export { defineAnnotation, AnnotationStore, type AnnotationTable } from "./ir/annotations/define.js";
export { saveWorkflow, loadWorkflow, serializeWorkflow, type IrFile } from "./ir/serialize.js";
export { compileManifestText } from "./frontends/manifest/index.js";
export { compileFile, compileText, pipelineFor, type CompileOptions, type CompileResult } from "./driver/compile.js";
export { PassManager } from "./pass-manager/pass-manager.js";
export type { Pass, Analysis, PassContext, PassOption } from "./pass-manager/pass.js";
export { parsePipeline, printPipeline } from "./pass-manager/pipeline.js";
export { printWorkflow } from "./printers/text.js";
export { printMermaid } from "./printers/mermaid.js";
export { requestPlanFor, renderRequest, assembleRequest, type RequestPlan } from "./prompt/assemble-request.js";
export { prefixCacheKey, splitPlan } from "./prompt/prefix-split.js";
export { parseModelUri, type ModelTarget } from "./models/model-uri.js";
export { runWorkflow, type RunOptions, type RunOutcome } from "./runtime/run-workflow.js";
export { RunHandle } from "./runtime/run-handle.js";
export type { ResultLine } from "./runtime/results-writer.js";
export type { RunInput, InputItems } from "./runtime/input-reader.js";
export { InputError } from "./runtime/input-lines.js";
export type { RunStats } from "./runtime/run-stats.js";
export { selectBackend, type BackendSettings } from "./backends/select-backend.js";
export type { ModelBackend } from "./runtime/backend.js";
export type { ChatRequest, ChatResult, RequestHints } from "./runtime/chat.js";
export {
  batchNode,
  type BatchContext,
  type BatchNodeFunction,
  type BatchNodeItem,
  type BatchNodeOptions,
  type BatchNodePolicy,
  type BatchNodeResults,
  type InOrderResults,
  type ResultsById,
  type EvaluateBatch,
} from "./dropins/batch-node.js";
