// `createNexus({ backend, ... })`: an AI SDK provider whose language models send through Nexus's shared accumulator.
// `nexus("model")` and `nexus.languageModel("model")` give the same model; Nexus has no embedding or image models.
import type { LanguageModelV4, ProviderV4 } from "@ai-sdk/provider";
import type { NexusBackendOptions } from "../nexus-options.js";
import { NexusLanguageModel } from "./nexus-language-model.js";

export type NexusProviderSettings = NexusBackendOptions;

export interface NexusProvider extends ProviderV4 {
  (modelId: string): LanguageModelV4;
  languageModel(modelId: string): LanguageModelV4;
}

function noSuchModel(kind: string, modelId: string): never {
  throw new Error(`Nexus has no ${kind} models (asked for '${modelId}'): it batches language model calls only`);
}

export function createNexus(settings: NexusProviderSettings = {}): NexusProvider {
  const languageModel = (modelId: string) => new NexusLanguageModel(modelId, settings);
  return Object.assign((modelId: string) => languageModel(modelId), {
    specificationVersion: "v4" as const,
    languageModel,
    embeddingModel: (modelId: string) => noSuchModel("embedding", modelId),
    imageModel: (modelId: string) => noSuchModel("image", modelId),
  });
}
