// The failed items: id, node and error per row, with a text filter and a node filter run by a small inline script
// (no network, no library). The run keeps the first items that failed and the count of all of them.
import type { RunRecordData } from "../runtime/record/run-record.js";
import { escapeHtml, formatCount } from "./html.js";

/** Hides the rows that do not match the text (id, node or error) and the chosen node. */
export const FAILED_ITEMS_SCRIPT = `
(function () {
  var text = document.getElementById("failed-filter");
  var node = document.getElementById("failed-node");
  var shown = document.getElementById("failed-shown");
  if (!text || !node) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll("#failed tbody tr"));
  function apply() {
    var needle = text.value.toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var match = (!needle || row.textContent.toLowerCase().indexOf(needle) >= 0) &&
        (!node.value || row.getAttribute("data-node") === node.value);
      row.hidden = !match;
      if (match) count++;
    });
    shown.textContent = String(count);
  }
  text.addEventListener("input", apply);
  node.addEventListener("change", apply);
  apply();
})();
`;

export function failedItemsSection(record: RunRecordData | undefined): string {
  const items = record?.failedItems ?? [];
  if (items.length === 0) return "<p>No item failed.</p>";
  const nodes = [...new Set(items.map((item) => item.node ?? "input"))].sort();
  const rows = items.map((item) => {
    const node = item.node ?? "input";
    return `<tr data-node="${escapeHtml(node)}"><td>${escapeHtml(item.id)}</td><td>${escapeHtml(node)}</td><td class="error">${escapeHtml(item.error)}</td></tr>`;
  });
  const kept =
    record!.failedCount > items.length
      ? ` (the first ${formatCount(items.length)} of ${formatCount(record!.failedCount)} are kept)`
      : "";
  return [
    `<div class="filters"><input id="failed-filter" type="search" placeholder="filter by id, node or error" aria-label="filter failed items">`,
    `<select id="failed-node" aria-label="node"><option value="">all nodes</option>${nodes.map((n) => `<option value="${escapeHtml(n)}">${escapeHtml(n)}</option>`).join("")}</select>`,
    `<span>showing <b id="failed-shown">${items.length}</b> of ${formatCount(items.length)}${kept}</span></div>`,
    `<table id="failed"><thead><tr><th>id</th><th>node</th><th>error</th></tr></thead><tbody>`,
    ...rows,
    `</tbody></table>`,
  ].join("\n");
}
