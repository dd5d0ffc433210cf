// Names for requests and batches that survive a crash. A request's key hashes its stable runtime id
// (`item/graph/node/step`) with its content, so a resumed run finds the same request again (and a changed request is
// a new one). A batch's marker is chosen by the client before the provider sees the batch; every custom_id carries
// it (`<marker>_<key>`, within the providers' `^[a-zA-Z0-9_-]{1,64}$`), so results and lost batches map back.
import { createHash, randomBytes } from "node:crypto";
import type { ChatRequest } from "../../runtime/chat.js";

export const MARKER_LENGTH = 10;
const KEY_LENGTH = 40;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** 40 hex digits identifying one request: its runtime id and its exact content. */
export function requestKey(requestId: string, request: ChatRequest): string {
  return createHash("sha256")
    .update(requestId)
    .update("\u0000")
    .update(JSON.stringify(request))
    .digest("hex")
    .slice(0, KEY_LENGTH);
}

/** A fresh batch marker: 10 lowercase letters and digits (about 52 bits). */
export function newMarker(): string {
  const bytes = randomBytes(MARKER_LENGTH);
  let marker = "";
  for (const byte of bytes) marker += ALPHABET[byte % ALPHABET.length];
  return marker;
}

export function customIdFor(marker: string, key: string): string {
  return `${marker}_${key}`;
}

/** The marker a custom_id carries, or undefined when it is not one of ours. */
export function markerOf(customId: string): string | undefined {
  const match = /^([a-z0-9]{10})_[0-9a-f]{40}$/.exec(customId);
  return match?.[1];
}
