// A work item: one input line on its way through a graph. Items are plain JSON so LangGraph can checkpoint them.
import type { ChatUsage } from "./chat.js";

/** `deferred`: the run stopped before the item sent anything; it is left for a resumed run (no result line). */
export type ItemStatus = "running" | "ok" | "error" | "deferred";

export interface WorkItem {
  /** The input's `id` field, else its line number. */
  id: string;
  /** 1-based line in the input file (sub-items of a map carry their parent's). */
  line: number;
  state: Record<string, unknown>;
  /** The node the item runs next; null once it has left the graph. */
  at: string | null;
  status: ItemStatus;
  error?: string;
  /** Outcome of the last node (selects `success`/`error` edges). */
  outcome?: "success" | "error";
  /** Route chosen by the last router. */
  route?: string;
  /** Fields the workflow's nodes wrote (the result's `output`). */
  written: string[];
  usage: ChatUsage;
  /** The reducer the item ran during its map's step (see reduce-ahead.ts): that node's step only moves it on. */
  reducedAt?: string;
}
