// Small helpers for writing the HTML report as text: escaping, and the number formats its tables use.

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe inside an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

/** `1,234,567` */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** `830 ms`, `4.2 s`, `3m12s` */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

/** `87.4%` */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** A table from header cells and rows of (already escaped) HTML cells; columns `numeric` holds are right-aligned. */
export function htmlTable(
  id: string,
  head: string[],
  rows: string[][],
  numeric: (column: number) => boolean = (column) => column > 0,
): string {
  const cell = (tag: string, html: string, index: number) =>
    `<${tag}${numeric(index) ? ' class="num"' : ""}>${html}</${tag}>`;
  return [
    `<table id="${id}">`,
    `<thead><tr>${head.map((h, i) => cell("th", escapeHtml(h), i)).join("")}</tr></thead>`,
    `<tbody>`,
    ...rows.map((row) => `<tr>${row.map((html, i) => cell("td", html, i)).join("")}</tr>`),
    `</tbody></table>`,
  ].join("\n");
}
