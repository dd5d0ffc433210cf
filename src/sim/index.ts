// Public API of the built-in engine and provider simulator (the default backend of `nexus run`, and the target
// of tests and benchmarks): the in-process SimEngine, the HTTP server, scenarios, profiles and the prefix cache.

export {
  SimEngine,
  type SimEngineOptions,
  type ChatHooks,
  type ChatStreamStart,
  type GenerateResponse,
  type PreparedChat,
} from "./engine.js";
export { startSimServer, type SimServer, type SimServerOptions } from "./server.js";
export {
  parseScenario,
  loadScenario,
  readScenarioFile,
  ScenarioFileError,
  ScenarioSchema,
  DEFAULT_SCENARIO,
  type Scenario,
  type ScenarioInput,
  type ToolCallScenario,
} from "./scenario.js";
export { PROFILES, resolveProfile, type EngineProfile, type ProfileName } from "./profiles.js";
export { PrefixCache, type PrefixCacheOptions, type SequenceHandle, type BlockHash } from "./prefix-cache.js";
export {
  prefillMs,
  decodeStepMs,
  stepMs,
  soloRequestMs,
  lowerBoundMs,
  dependentLowerBoundMs,
  capacityLowerBoundMs,
  type CapacityWork,
  type WorkSummary,
  type RoundWork,
} from "./engine-timing.js";
export type { SimStats, ProviderStats } from "./stats.js";
export type { BatchOptions } from "./batch-common.js";
export type { EngineMode } from "./openai-chat.js";
export { sampleFromSchema, type JsonSchema } from "./schema-sample.js";
export { encodeText, countTokens, decodeTokens } from "./tokenize.js";
export type { ChatCompletion as ChatCompletionResponse } from "openai/resources/chat/completions";
