// `nexus-batch/ai-sdk`: the Vercel AI SDK provider, and the shared backends its models send through.
export { createNexus, type NexusProvider, type NexusProviderSettings } from "./create-nexus.js";
export { NexusLanguageModel } from "./nexus-language-model.js";
export { closeNexusBackends, sharedBackend, type SharedBackend } from "../shared-backend.js";
export type { NexusBackendOptions } from "../nexus-options.js";
