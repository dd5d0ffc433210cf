// The model loader of the LangGraph.js templates: "provider/model" names a chat model.
import { initChatModel } from "langchain/chat_models/universal";

export async function loadChatModel(fullySpecifiedName: string) {
  const index = fullySpecifiedName.indexOf("/");
  if (index === -1) return await initChatModel(fullySpecifiedName);
  const provider = fullySpecifiedName.slice(0, index);
  const model = fullySpecifiedName.slice(index + 1);
  return await initChatModel(model, { modelProvider: provider });
}
