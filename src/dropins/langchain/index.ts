// `nexus-batch/langchain`: the LangChain drop-in chat model, and the shared backends it sends through.
export {
  NexusChatModel,
  type NexusChatModelFields,
  type NexusChatModelCallOptions,
  type LangChainToolChoice,
} from "./nexus-chat-model.js";
export { closeNexusBackends, sharedBackend, type SharedBackend } from "../shared-backend.js";
export type { NexusBackendOptions } from "../nexus-options.js";
