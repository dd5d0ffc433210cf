// What the static reader knows about an expression of the program: its value, as far as it can be known without
// running anything. Unknown parts stay `unknown` (with the expression, for warnings), never guessed.
import type { Node } from "ts-morph";
import type { JsonSchema } from "../../ir/types.js";
import type { TemplatePart } from "../../ir/template.js";

/** A variable environment: loop variables, function parameters bound at a call, `this`. */
export interface Env {
  readonly vars: Map<string, Value>;
  readonly parent?: Env;
  readonly self?: Value;
}

export const emptyEnv = (): Env => ({ vars: new Map() });

export const childEnv = (parent: Env, vars: [string, Value][] = [], self = parent.self): Env => ({
  vars: new Map(vars),
  parent,
  self,
});

export function lookupVar(env: Env | undefined, name: string): Value | undefined {
  for (let scope = env; scope; scope = scope.parent) {
    const value = scope.vars.get(name);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** A state field with how LangGraph combines updates to it. */
export interface StateField {
  schema: JsonSchema;
  /** `messages` (the messages reducer), `custom` (a reducer function), or none (last value wins). */
  reducer?: "messages" | "custom";
  default?: unknown;
}

/** What a model call site knows about its model. */
export interface ModelInfo {
  provider?: string;
  name?: string;
  /** Why the name is not known, when it is not. */
  unresolved?: Node;
  tools: ToolInfo[];
  outputSchema?: JsonSchema;
  temperature?: number;
  maxTokens?: number;
  /** A prompt template piped into the model (`prompt.pipe(model)`): its messages. */
  promptMessages?: MessageValue[];
  loc: Node;
}

export interface ToolInfo {
  name: string;
  description?: string;
  inputSchema?: JsonSchema;
  node: Node;
}

/** One chat message of a model call, as written: its role and content. */
export interface MessageValue {
  role: "system" | "user" | "assistant" | "placeholder";
  content: Value;
}

/** A function of the program, with the environment it closes over. */
export interface FunctionValue {
  kind: "function";
  node: Node;
  env: Env;
}

/** The graph being built by one `new StateGraph(...)`: every builder call, in program order. */
export interface BuilderRecord {
  id: number;
  node: Node;
  state?: Map<string, StateField>;
  /** Variable names the builder or its compiled graph was bound to, first first. */
  names: string[];
  /** `graph.name = "..."` after compile, or `withConfig({runName})`. */
  explicitName?: string;
  exported: boolean;
  calls: BuilderCall[];
  /** Built by `createReactAgent`/`createAgent`: one model node with the agent's tools. */
  agent?: { model: ModelInfo; system?: Value; name?: string };
  /** The graph's own input, output and context (config) schemas, when the constructor names them. */
  schemas?: { input?: Map<string, StateField>; output?: Map<string, StateField>; context?: Map<string, StateField> };
}

export interface BuilderCall {
  method: string;
  args: Value[];
  argNodes: Node[];
  node: Node;
}

export type Value =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "boolean"; value: boolean }
  | { kind: "undefined" }
  | { kind: "array"; elements: Value[] }
  | { kind: "object"; properties: Map<string, Value> }
  /** A string with per-item parts: template literals that read state. */
  | { kind: "template"; parts: TemplatePart[] }
  /** The node's state, or a field of it (`state.topic`, a destructured `{topic}`). */
  | { kind: "state"; path: string[] }
  /** A spread of a state list inside an array (`...state.messages`). */
  | { kind: "spread"; of: Value }
  | FunctionValue
  | { kind: "class"; node: Node }
  | { kind: "instance"; classNode: Node; args: Value[] }
  | { kind: "builder"; builder: BuilderRecord }
  | { kind: "compiled"; builder: BuilderRecord }
  | { kind: "model"; model: ModelInfo }
  | { kind: "tool"; tool: ToolInfo }
  | { kind: "toolNode"; tools: ToolInfo[]; node: Node }
  | { kind: "toolsCondition" }
  | { kind: "message"; message: MessageValue }
  /** A `ChatPromptTemplate`: messages whose text has `{variable}`s, filled from the object the chain is invoked with. */
  | { kind: "promptTemplate"; messages: MessageValue[] }
  | { kind: "schema"; schema: JsonSchema; reducer?: StateField["reducer"]; default?: unknown }
  | { kind: "stateDefinition"; fields: Map<string, StateField> }
  /** An `Annotation<T>(...)` channel, or a StateSchema value such as `MessagesValue`. */
  | { kind: "channel"; field: StateField }
  | { kind: "send"; target: Value; arg: Value; node: Node }
  /** A graph served elsewhere: a `RemoteGraph`, or a LangGraph SDK client (whose runs start graphs by name). */
  | { kind: "remote"; graphId?: string; node: Node }
  | { kind: "command"; goto: Value; node: Node }
  /** `batchNode(evaluateBatch, options)` of nexus-batch: a node whose calls are batched by the program itself. */
  | { kind: "batchNode"; evaluate: Value; options: Value; node: Node; optionsNode?: Node }
  /** A known export of a package this reader understands (`StateGraph`, `ChatOpenAI`, `z`, `START`, ...). */
  | { kind: "import"; module: string; name: string }
  | { kind: "unknown"; node?: Node };

export const unknown = (node?: Node): Value => ({ kind: "unknown", node });
export const str = (value: string): Value => ({ kind: "string", value });

/** The text of a value when it is a known string. */
export function stringOf(value: Value): string | undefined {
  return value.kind === "string" ? value.value : undefined;
}
