// The in-memory IR: a Workflow holds graphs (each a graphology multigraph of typed nodes and edges), tool definitions,
// policies and settings. Passes mutate it in place through these methods; the order of nodes and edges is their
// insertion order, which keeps dumps stable.
import { MultiDirectedGraph } from "graphology";
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import { AnnotationStore } from "./annotations/define.js";
import type { JsonSchema, Policy, ToolDefinition, WorkflowEdge, WorkflowNode, WorkflowSettings } from "./types.js";

/** Version of the IR file format; bump on any incompatible change. */
export const IR_SCHEMA_VERSION = 1;

/**
 * The graphology key of a node id. graphology keeps each node's neighbours in plain objects keyed by node key, so an
 * id such as `constructor`, `toString` or `__proto__` would collide with `Object.prototype` (crashes, and with
 * `__proto__` a polluted prototype for the whole process). No key starts with `Object.prototype`'s names once
 * prefixed; ids are never seen in their key form outside this class.
 */
const keyOf = (id: string): string => `#${id}`;
const idOf = (key: string): string => key.slice(1);

export class WorkflowGraph {
  readonly #graph = new MultiDirectedGraph<WorkflowNode, WorkflowEdge>();
  readonly annotations = new AnnotationStore();
  #nextEdgeNumber = 0;

  constructor(
    public name: string,
    public entry: string,
    public loc: SourceLocation,
    public stateSchema?: JsonSchema,
    public description?: string,
  ) {}

  addNode(node: WorkflowNode): void {
    this.#graph.addNode(keyOf(node.id), node);
  }

  /** Replaces a node's fields (same id; its edges and annotations stay). */
  replaceNode(node: WorkflowNode): void {
    this.#graph.replaceNodeAttributes(keyOf(node.id), node);
  }

  hasNode(id: string): boolean {
    return this.#graph.hasNode(keyOf(id));
  }

  node(id: string): WorkflowNode {
    return this.#graph.getNodeAttributes(keyOf(id));
  }

  /** Nodes in insertion order. */
  nodes(): WorkflowNode[] {
    return this.#graph.mapNodes((_, attributes) => attributes);
  }

  /** Node ids in insertion order. */
  nodeIds(): string[] {
    return this.#graph.mapNodes(idOf);
  }

  /** Ids of the nodes an edge from `id` leads to (each once), in edge order. */
  successors(id: string): string[] {
    return this.#graph.outNeighbors(keyOf(id)).map(idOf);
  }

  /** True when an edge leads from `from` to `to`. */
  hasEdgeBetween(from: string, to: string): boolean {
    return this.#graph.hasDirectedEdge(keyOf(from), keyOf(to));
  }

  /** Adds an edge; its id is given or numbered `e0`, `e1`, ... */
  addEdge(edge: Omit<WorkflowEdge, "id"> & { id?: string }): WorkflowEdge {
    const id = edge.id ?? `e${this.#nextEdgeNumber}`;
    const numbered = /^e(\d+)$/.exec(id);
    if (numbered) this.#nextEdgeNumber = Math.max(this.#nextEdgeNumber, Number(numbered[1]) + 1);
    const { id: _given, ...fields } = edge;
    // `id` first, so an edge reads the same whether the frontend numbered it or the IR file named it.
    const full: WorkflowEdge = { id, ...fields };
    this.#graph.addDirectedEdgeWithKey(id, keyOf(edge.from), keyOf(edge.to), full);
    return full;
  }

  hasEdge(id: string): boolean {
    return this.#graph.hasEdge(id);
  }

  edge(id: string): WorkflowEdge {
    return this.#graph.getEdgeAttributes(id);
  }

  /** Edges in insertion order. */
  edges(): WorkflowEdge[] {
    return this.#graph.mapEdges((_, attributes) => attributes);
  }

  outEdges(id: string): WorkflowEdge[] {
    return this.#graph.mapOutEdges(keyOf(id), (_, attributes) => attributes);
  }

  inEdges(id: string): WorkflowEdge[] {
    return this.#graph.mapInEdges(keyOf(id), (_, attributes) => attributes);
  }

  removeEdge(id: string): void {
    this.#graph.dropEdge(id);
  }

  /** Removes a node, its edges and its annotations. */
  removeNode(id: string): void {
    this.#graph.dropNode(keyOf(id));
    this.annotations.deleteNode(id);
  }

  get nodeCount(): number {
    return this.#graph.order;
  }

  get edgeCount(): number {
    return this.#graph.size;
  }
}

export interface WorkflowInit {
  name: string;
  version?: string;
  description?: string;
  source?: string;
  settings?: WorkflowSettings;
  metadata?: Record<string, unknown>;
}

export class Workflow {
  readonly schemaVersion = IR_SCHEMA_VERSION;
  name: string;
  version?: string;
  description?: string;
  /** The workflow file it was built from, as given on the command line. */
  source?: string;
  graphs: WorkflowGraph[] = [];
  tools: ToolDefinition[] = [];
  /** Annotations of tool definitions, keyed by tool name (tools are not nodes); written inline as `tools[].annotations`. */
  readonly toolAnnotations = new AnnotationStore();
  policies: Policy[] = [];
  settings: WorkflowSettings;
  metadata?: Record<string, unknown>;
  /** The pass pipeline that produced this IR, in `--passes` syntax. */
  pipeline?: string;

  constructor(init: WorkflowInit) {
    this.name = init.name;
    this.version = init.version;
    this.description = init.description;
    this.source = init.source;
    this.settings = init.settings ?? {};
    this.metadata = init.metadata;
  }

  graphByName(name: string): WorkflowGraph | undefined {
    return this.graphs.find((g) => g.name === name);
  }

  tool(name: string): ToolDefinition | undefined {
    return this.tools.find((t) => t.name === name);
  }

  /** The graph `nexus run` starts in: the first one. */
  get mainGraph(): WorkflowGraph {
    return this.graphs[0];
  }

  /** Every node of every graph, with its graph. */
  *allNodes(): Generator<{ graph: WorkflowGraph; node: WorkflowNode }> {
    for (const graph of this.graphs) for (const node of graph.nodes()) yield { graph, node };
  }
}
