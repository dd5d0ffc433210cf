// A model call's messages to the IR's prompt fields: the system messages before the first other message become
// `system`, the rest `prompt`, each as a template (`{field}` for a state read, literal braces doubled), so the
// prefix split and cache keys see which parts are the same for every item and which are per item.
import type { Node } from "ts-morph";
import { parseTemplate, type TemplatePart } from "../../ir/template.js";
import { DYNAMIC_PART, TemplateParts } from "./template-parts.js";
import type { MessageValue, Value } from "./values.js";

const ROLES: Record<string, MessageValue["role"]> = {
  system: "system",
  developer: "system",
  human: "user",
  user: "user",
  ai: "assistant",
  assistant: "assistant",
  placeholder: "placeholder",
};

/** The messages a model is called with: a string, a list of messages/tuples/`{role, content}`, or state messages. */
export function messagesOf(value: Value | undefined): MessageValue[] {
  if (value === undefined) return [];
  if (value.kind === "string" || value.kind === "template") return [{ role: "user", content: value }];
  if (value.kind === "state") return [{ role: "placeholder", content: value }];
  if (value.kind === "message") return [value.message];
  if (value.kind !== "array") return [{ role: "user", content: value }];
  return value.elements.map((element): MessageValue => {
    if (element.kind === "message") return element.message;
    if (element.kind === "spread") return { role: "placeholder", content: element.of };
    if (element.kind === "state") return { role: "placeholder", content: element };
    if (element.kind === "array" && element.elements[0]?.kind === "string")
      return { role: ROLES[element.elements[0].value] ?? "user", content: element.elements[1] ?? { kind: "unknown" } };
    if (element.kind === "object") {
      const role = element.properties.get("role");
      return {
        role: role?.kind === "string" ? (ROLES[role.value] ?? "user") : "user",
        content: element.properties.get("content") ?? { kind: "unknown" },
      };
    }
    return { role: "user", content: element };
  });
}

/** A template part list as IR template text: literal braces doubled, variables as `{path}`. */
export function templateText(parts: TemplatePart[]): string {
  return parts
    .map((part) =>
      part.type === "text" ? part.text.replace(/[{}]/g, (brace) => brace + brace) : `{${part.path.join(".")}}`,
    )
    .join("");
}

function contentParts(content: Value, at: Node): TemplatePart[] {
  const template = new TemplateParts();
  template.value(content, at.getText(), at.getStart());
  return template.parts;
}

export interface PromptFields {
  system?: string;
  prompt?: string;
  /** True when some part could not be read and was assumed to differ per item. */
  dynamic: boolean;
}

/** `system` and `prompt` of a call with these messages. */
export function promptFields(messages: MessageValue[], at: Node): PromptFields {
  const leadingSystem = messages.findIndex((message) => message.role !== "system");
  const systemCount = leadingSystem === -1 ? messages.length : leadingSystem;
  const render = (list: MessageValue[]) =>
    list.map((message) => templateText(contentParts(message.content, at))).filter((text) => text !== "");
  const system = render(messages.slice(0, systemCount));
  const prompt = render(messages.slice(systemCount));
  const all = [...system, ...prompt].join("\n");
  return {
    ...(system.length ? { system: system.join("\n\n") } : {}),
    ...(prompt.length ? { prompt: prompt.join("\n\n") } : {}),
    dynamic: all.includes(`{${DYNAMIC_PART}}`),
  };
}

/**
 * The messages of a prompt template invoked with `input` (`chain.invoke({question: state.question})`): each
 * `{variable}` of its text (LangChain's f-string templates, the IR's template syntax) takes the input's value, and a
 * `MessagesPlaceholder("name")` the input's list.
 */
export function fillPromptTemplate(messages: MessageValue[], input: Value | undefined): MessageValue[] {
  const properties = input?.kind === "object" ? input.properties : new Map<string, Value>();
  const lookup = (name: string): Value =>
    properties.get(name) ??
    (input?.kind === "state" ? { kind: "state", path: [...input.path, name] } : { kind: "unknown" });
  return messages.map((message) => {
    if (message.role === "placeholder" && message.content.kind === "string")
      return { role: "placeholder", content: lookup(message.content.value) };
    if (message.content.kind !== "string") return message;
    const template = new TemplateParts();
    for (const part of parseTemplate(message.content.value)) {
      if (part.type === "text") template.text(part.text);
      else {
        let value = lookup(part.path[0]);
        if (value.kind === "state" && part.path.length > 1)
          value = { kind: "state", path: [...value.path, ...part.path.slice(1)] };
        template.value(value, part.source, part.offset);
      }
    }
    return { role: message.role, content: template.toValue() };
  });
}
