// How a node records its result on an item: the output field it wrote, or the failure that routing then follows.
import { DeferredItem } from "../batch-accumulator.js";
import type { WorkItem } from "../work-item.js";

/** Writes a node's output into the item's state and marks the node's step a success. */
export function setOutput(item: WorkItem, field: string, value: unknown): void {
  item.state[field] = value;
  item.written.push(field);
  item.outcome = "success";
}

/** Marks a node's failure on an item; routing then follows an `error` edge or fails the item. */
export function failItem(item: WorkItem, message: string): void {
  item.outcome = "error";
  item.error = message;
}

/**
 * A node's failure on an item from an error: a deferred item (the run stopped before it sent anything) is marked
 * `deferred` and left for a resumed run instead.
 */
export function failOrDefer(item: WorkItem, error: unknown, message: string): void {
  if (error instanceof DeferredItem) item.status = "deferred";
  else failItem(item, message);
}

/** The message of a thrown value, for an item's error. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
