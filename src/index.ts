// The library entry point: the compiler's phases for programs that embed Nexus.
export * from "./diagnostics/index.js";
export * from "./ir/types.js";
export { Workflow, WorkflowGraph, IR_SCHEMA_VERSION } from "./ir/workflow.js";
export { defineAnnotation, AnnotationStore, type AnnotationTable } from "./ir/annotations.js";
export { saveWorkflow, loadWorkflow, serializeWorkflow, type IrFile } from "./ir/serialize.js";
export { compileManifestText } from "./frontends/manifest/index.js";
export { compileFile, compileText, pipelineFor, type CompileOptions, type CompileResult } from "./driver/compile.js";
export { PassManager } from "./pass-manager/pass-manager.js";
export type { Pass, Analysis, PassContext, PassOption } from "./pass-manager/pass.js";
export { parsePipeline, printPipeline } from "./pass-manager/pipeline.js";
export { printWorkflow } from "./printers/text.js";
export { printMermaid } from "./printers/mermaid.js";
