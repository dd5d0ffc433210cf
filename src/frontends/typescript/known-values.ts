// What the exports of LangGraph, LangChain, langsmith and zod are, for the static reader: `StateGraph` makes a
// builder, `ChatOpenAI` a model, `tool()` a tool, `Annotation.Root` a state definition, `Send`/`Command` routing
// values, `createReactAgent` a prebuilt agent graph. Matched by export name, from the packages that export them.
import type { Node } from "ts-morph";
import { diagnostics } from "../../diagnostics/codes.js";
import { modelFromOptions, modelFromName } from "./models.js";
import { messagesOf } from "./prompt-template.js";
import type { ProgramReader } from "./reader.js";
import { is } from "./syntax.js";
import { typeSchema } from "./type-schema.js";
import { factoryDefault, schemaOf, zodConstructor, zodMethod } from "./zod-schema.js";
import { str, unknown, type Env, type ModelInfo, type StateField, type ToolInfo, type Value } from "./values.js";

type ImportValue = Extract<Value, { kind: "import" }>;

const MESSAGES_FIELD: StateField = { schema: { type: "array" }, reducer: "messages", default: [] };

const isPackage = (module: string, ...prefixes: string[]) =>
  prefixes.some((p) => module === p || module.startsWith(`${p}/`));
const fromLangChain = (module: string) => isPackage(module, "@langchain", "langchain", "langsmith");
const fromZod = (module: string) => isPackage(module, "zod");
/** Nexus's own package: its exports are known by name even where the program's tsconfig maps it to source files. */
export const fromNexus = (module: string) => isPackage(module, "nexus-batch");

/** The value of `import {name} from module` (or of `name.member` on such an import). */
export function knownImportValue(module: string, name: string): Value {
  if (fromLangChain(module)) {
    switch (name) {
      case "START":
        return str("__start__");
      case "END":
        return str("__end__");
      case "MessagesAnnotation":
        return { kind: "stateDefinition", fields: new Map([["messages", MESSAGES_FIELD]]) };
      case "MessagesValue":
        return { kind: "channel", field: MESSAGES_FIELD };
      case "MessagesZodState":
        return {
          kind: "schema",
          schema: { type: "object", properties: { messages: { type: "array", "x-reducer": "messages" } } },
        };
      case "toolsCondition":
        return { kind: "toolsCondition" };
    }
  }
  return { kind: "import", module, name };
}

const object = (value: Value | undefined) => (value?.kind === "object" ? value.properties : new Map<string, Value>());

/** A state definition's fields from an object of channels (`Annotation<T>`), zod schemas or StateSchema values. */
function fieldsOf(properties: Map<string, Value>): Map<string, StateField> {
  const fields = new Map<string, StateField>();
  for (const [key, value] of properties) {
    if (value.kind === "channel") fields.set(key, value.field);
    else if (value.kind === "schema")
      fields.set(key, { schema: value.schema, reducer: value.reducer, default: value.default });
    else fields.set(key, { schema: {} });
  }
  return fields;
}

/** The fields of a value used as a graph's state: an annotation root, a StateSchema, or a zod object. */
export function stateFieldsOf(value: Value | undefined): Map<string, StateField> | undefined {
  if (value === undefined) return undefined;
  if (value.kind === "stateDefinition") return value.fields;
  if (value.kind === "schema") {
    const properties = (value.schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    return new Map(
      Object.entries(properties).map(([key, schema]) => {
        const { "x-reducer": reducer, ...rest } = schema;
        return [key, { schema: rest, reducer: reducer as StateField["reducer"], default: rest.default }];
      }),
    );
  }
  if (value.kind === "object") {
    const stateValue = value.properties.get("state") ?? value.properties.get("stateSchema");
    if (stateValue) return stateFieldsOf(stateValue);
    const channels = value.properties.get("channels");
    if (channels?.kind === "object") return fieldsOf(channels.properties);
  }
  return undefined;
}

function reducerOf(options: Map<string, Value>): StateField["reducer"] {
  return options.has("reducer") ? "custom" : undefined;
}

function defaultOf(options: Map<string, Value>): unknown {
  const fn = options.get("default");
  return fn?.kind === "function" ? factoryDefault(fn) : undefined;
}

/** A tool from `tool(fn, {name, description, schema})` or `new DynamicStructuredTool({...})`. */
function toolFrom(fields: Map<string, Value>, at: Node): Value {
  const name = fields.get("name");
  const description = fields.get("description");
  const tool: ToolInfo = {
    name: name?.kind === "string" ? name.value : at.getText().slice(0, 40),
    ...(description?.kind === "string" ? { description: description.value } : {}),
    ...(fields.has("schema") ? { inputSchema: schemaOf(fields.get("schema")) } : {}),
    node: at,
  };
  return { kind: "tool", tool };
}

/** The tools of a list, each known tool as read; anything else named by its expression, with a warning. */
export function toolsOf(reader: ProgramReader, list: Value | undefined, at: Node): ToolInfo[] {
  if (list === undefined || list.kind !== "array") return [];
  return list.elements.flatMap((element, index): ToolInfo[] => {
    if (element.kind === "tool") return [element.tool];
    const node = element.kind === "unknown" ? element.node : undefined;
    const where = node ?? at;
    const name = node && is().isIdentifier(node) ? node.getText() : `tool${index + 1}`;
    reader.report(diagnostics.tsUnknownTool(name, reader.files.locate(where)));
    return [{ name, node: where }];
  });
}

/** `name(...)` or `name.member(...)` of a known package. */
export function callKnown(reader: ProgramReader, callee: ImportValue, args: Value[], call: Node, _env: Env): Value {
  const { module, name } = callee;
  if (fromZod(module) && name.startsWith("z.")) return zodConstructor(name.slice(2), args);
  // `batchNode(...)`, or `nexus.batchNode(...)` of `import * as nexus`.
  if (fromNexus(module) && (name === "batchNode" || name === "*.batchNode") && is().isCallExpression(call)) {
    const optionsNode = call.getArguments()[1];
    return {
      kind: "batchNode",
      evaluate: args[0] ?? unknown(call),
      options: args[1] ?? unknown(call),
      node: call,
      optionsNode,
    };
  }
  if (!fromLangChain(module)) return unknown(call);
  switch (name) {
    case "Annotation": {
      const typeArguments =
        is().isCallExpression(call) || is().isExpressionWithTypeArguments(call) ? call.getTypeArguments() : [];
      const options = object(args[0]);
      const schema = typeArguments.length ? typeSchema(typeArguments[0]) : {};
      return { kind: "channel", field: { schema, reducer: reducerOf(options), default: defaultOf(options) } };
    }
    case "Annotation.Root":
      return { kind: "stateDefinition", fields: fieldsOf(object(args[0])) };
    case "tool":
      return toolFrom(object(args[1]), call);
    case "initChatModel":
      return { kind: "model", model: modelFromName(reader, args[0], object(args[1]), call) };
    case "ChatPromptTemplate.fromMessages":
      return { kind: "promptTemplate", messages: messagesOf(args[0]) };
    case "ChatPromptTemplate.fromTemplate":
    case "PromptTemplate.fromTemplate":
      return { kind: "promptTemplate", messages: messagesOf(args[0]) };
    case "traceable":
      return args[0] ?? unknown(call);
    case "withLangGraph": {
      const meta = object(args[1]);
      const base = args[0]?.kind === "schema" ? args[0] : { kind: "schema" as const, schema: {} };
      return {
        ...base,
        reducer: meta.has("reducer") ? "custom" : base.reducer,
        default: defaultOf(meta) ?? base.default,
      };
    }
    case "createReactAgent":
    case "createAgent":
      return prebuiltAgent(reader, object(args[0]), call);
    default:
      return unknown(call);
  }
}

/** `createReactAgent({llm, tools, prompt, name})` / `createAgent({model, tools, systemPrompt, name})`: a graph. */
function prebuiltAgent(reader: ProgramReader, options: Map<string, Value>, call: Node): Value {
  const modelValue = options.get("llm") ?? options.get("model");
  const model: ModelInfo =
    modelValue?.kind === "model"
      ? modelValue.model
      : modelValue?.kind === "string"
        ? modelFromName(reader, modelValue, new Map(), call)
        : { tools: [], unresolved: call, loc: call };
  const tools = toolsOf(reader, options.get("tools"), call);
  const builder = reader.newBuilder(call);
  const name = options.get("name");
  const system =
    options.get("prompt") ??
    options.get("systemPrompt") ??
    options.get("stateModifier") ??
    options.get("messageModifier");
  builder.agent = {
    model: { ...model, tools: [...model.tools, ...tools] },
    ...(system ? { system } : {}),
    ...(name?.kind === "string" ? { name: name.value } : {}),
  };
  builder.state = new Map([["messages", MESSAGES_FIELD]]);
  return { kind: "compiled", builder };
}

const CHAT_MODEL_CLASSES: Record<string, string> = {
  ChatOpenAI: "openai",
  AzureChatOpenAI: "openai",
  ChatAnthropic: "anthropic",
};

/** `new Name(...)` of a known package. */
export function newKnown(reader: ProgramReader, callee: ImportValue, args: Value[], node: Node, _env: Env): Value {
  const { module, name } = callee;
  if (!fromLangChain(module)) return unknown(node);
  if (CHAT_MODEL_CLASSES[name] !== undefined || /^Chat[A-Z]/.test(name))
    return { kind: "model", model: modelFromOptions(reader, CHAT_MODEL_CLASSES[name], object(args[0]), node) };
  switch (name) {
    case "StateGraph": {
      const builder = reader.newBuilder(node);
      builder.state = stateFieldsOf(args[0]);
      const init = object(args[0]);
      const contextValue =
        init.get("context") ?? (args[1]?.kind === "object" ? args[1].properties.get("context") : args[1]);
      const schemas = {
        input: stateFieldsOf(init.get("input")),
        output: stateFieldsOf(init.get("output")),
        context: stateFieldsOf(contextValue),
      };
      if (schemas.input || schemas.output || schemas.context) builder.schemas = schemas;
      return { kind: "builder", builder };
    }
    case "StateSchema":
      return { kind: "stateDefinition", fields: fieldsOf(object(args[0])) };
    case "ReducedValue": {
      const base = args[0]?.kind === "schema" ? args[0] : undefined;
      return {
        kind: "channel",
        field: { schema: base?.schema ?? {}, reducer: "custom", default: base?.schema.default },
      };
    }
    case "UntrackedValue":
      return { kind: "channel", field: { schema: schemaOf(args[0]) } };
    case "ToolNode":
      return { kind: "toolNode", tools: toolsOf(reader, args[0], node), node };
    case "RemoteGraph": {
      const graphId = object(args[0]).get("graphId");
      return { kind: "remote", ...(graphId?.kind === "string" ? { graphId: graphId.value } : {}), node };
    }
    case "Client":
      return isPackage(module, "@langchain/langgraph-sdk") ? { kind: "remote", node } : unknown(node);
    case "Send":
      return { kind: "send", target: args[0] ?? unknown(node), arg: args[1] ?? unknown(node), node };
    case "Command":
      return { kind: "command", goto: object(args[0]).get("goto") ?? { kind: "undefined" }, node };
    case "SystemMessage":
    case "HumanMessage":
    case "AIMessage": {
      const role = name === "SystemMessage" ? "system" : name === "HumanMessage" ? "user" : "assistant";
      const content =
        args[0]?.kind === "object" ? (args[0].properties.get("content") ?? unknown(node)) : (args[0] ?? unknown(node));
      return { kind: "message", message: { role, content } };
    }
    case "MessagesPlaceholder":
      return { kind: "message", message: { role: "placeholder", content: args[0] ?? unknown(node) } };
    case "DynamicStructuredTool":
    case "DynamicTool":
      return toolFrom(object(args[0]), node);
    default:
      return unknown(node);
  }
}

/** Methods of known values: a model's `bindTools`/`withStructuredOutput`, a zod schema's chain. */
export function methodOfKnown(
  reader: ProgramReader,
  receiver: Value,
  method: string,
  args: Value[],
  call: Node,
  _env: Env,
): Value {
  if (receiver.kind === "import")
    return callKnown(reader, { ...receiver, name: `${receiver.name}.${method}` }, args, call, _env);
  if (receiver.kind === "schema") return zodMethod(receiver, method, args);
  if (receiver.kind === "promptTemplate" && method === "pipe" && args[0]?.kind === "model")
    return { kind: "model", model: { ...args[0].model, promptMessages: receiver.messages } };
  if (receiver.kind === "model") {
    const model = receiver.model;
    switch (method) {
      case "bindTools":
        return { kind: "model", model: { ...model, tools: [...model.tools, ...toolsOf(reader, args[0], call)] } };
      case "withStructuredOutput":
        return { kind: "model", model: { ...model, outputSchema: schemaOf(args[0]) } };
      case "withConfig":
      case "withRetry":
      case "withFallbacks":
      case "bind":
        return receiver;
      default:
        return unknown(call);
    }
  }
  return unknown(call);
}
