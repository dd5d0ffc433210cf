// The workflow graph as an inline SVG, laid out by dagre when the report is written: one box per IR node, coloured
// by its share of the run's cost (or time), with its kind, model, batch group and cache key; one arrow per edge,
// labelled with the items that took it (dashed for error edges).
import { Graph, layout } from "@dagrejs/dagre";
import type { PlannedGraph, PlannedNode } from "../printers/workflow-plan.js";
import type { RunRecordData } from "../runtime/record/run-record.js";
import { escapeHtml, formatCount, formatShare } from "./html.js";
import type { NodeShares } from "./node-shares.js";

const CHAR_WIDTH = 7.4;
const LINE_HEIGHT = 15;
const PADDING = 10;

/** White at 0 to a strong orange at 1. */
export function shareColour(share: number): string {
  const t = Math.max(0, Math.min(1, share));
  const mix = (from: number, to: number) => Math.round(from + (to - from) * t);
  return `rgb(${mix(244, 232)},${mix(246, 96)},${mix(251, 44)})`;
}

function nodeLines(node: PlannedNode, shares: NodeShares, graph: string): string[] {
  const lines = [node.kind + (node.model ? ` · ${node.model}` : "")];
  if (node.batch)
    lines.push(
      `${node.batch.eligible ? `group ${node.batch.group}` : "unbatched"} · key ${node.batch.cacheKey.slice(0, 8)}`,
    );
  const data = shares.data(graph, node.id);
  const share = shares.share(graph, node.id);
  lines.push(
    `${formatCount(data?.items ?? 0)} items${share > 0 ? ` · ${formatShare(share)} of ${shares.measure}` : ""}`,
  );
  return lines;
}

export function graphSvg(
  graph: PlannedGraph,
  record: RunRecordData | undefined,
  shares: NodeShares,
  index: number,
  /** False for a dry run: no item took any edge yet. */
  countEdges = true,
): string {
  const arrow = `arrow-${index}`;
  const layoutGraph = new Graph({ multigraph: true });
  layoutGraph.setGraph({ rankdir: "TB", nodesep: 30, ranksep: 50, marginx: 12, marginy: 12 });
  const lines = new Map<string, string[]>();
  for (const node of graph.nodes) {
    const text = nodeLines(node, shares, graph.name);
    lines.set(node.id, text);
    const width = Math.max(node.id.length + 2, ...text.map((line) => line.length)) * CHAR_WIDTH + 2 * PADDING;
    layoutGraph.setNode(node.id, { width, height: (text.length + 1) * LINE_HEIGHT + 2 * PADDING });
  }
  const taken = new Map(
    (record?.edges ?? []).filter((e) => e.graph === graph.name).map((e) => [e.edge, e.items] as const),
  );
  const labels = new Map<string, string>();
  for (const edge of graph.edges) {
    const count = countEdges ? `${formatCount(taken.get(edge.id) ?? 0)} items` : "";
    const label = [edge.condition, count].filter(Boolean).join(" · ");
    labels.set(edge.id, label);
    layoutGraph.setEdge(edge.from, edge.to, { width: label.length * 6.2, height: 14, labelpos: "c" }, edge.id);
  }
  layout(layoutGraph);
  const size = layoutGraph.graph();
  const parts: string[] = [];
  for (const edge of graph.edges) {
    const laid = layoutGraph.edge({ v: edge.from, w: edge.to, name: edge.id });
    const points: { x: number; y: number }[] = laid.points ?? [];
    const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    parts.push(
      `<g class="edge" data-edge="${escapeHtml(edge.id)}"><path d="${path}"${edge.onError ? ' stroke-dasharray="5,4"' : ""} marker-end="url(#${arrow})"/>` +
        `<text x="${(laid.x ?? 0).toFixed(1)}" y="${((laid.y ?? 0) + 4).toFixed(1)}" text-anchor="middle">${escapeHtml(labels.get(edge.id)!)}</text></g>`,
    );
  }
  for (const node of graph.nodes) {
    const laid = layoutGraph.node(node.id);
    const x = laid.x - laid.width / 2;
    const y = laid.y - laid.height / 2;
    const share = shares.share(graph.name, node.id);
    const text = [
      `<text class="title" x="${x + PADDING}" y="${y + PADDING + 11}">${escapeHtml(node.id)}${node.id === graph.entry ? " ▸ entry" : ""}</text>`,
      ...lines
        .get(node.id)!
        .map(
          (line, i) =>
            `<text x="${x + PADDING}" y="${y + PADDING + 11 + (i + 1) * LINE_HEIGHT}">${escapeHtml(line)}</text>`,
        ),
    ];
    parts.push(
      `<g class="node-group"><rect class="node" data-node="${escapeHtml(`${graph.name}/${node.id}`)}" data-kind="${node.kind}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${laid.width}" height="${laid.height}" rx="6" fill="${shareColour(share)}"><title>${escapeHtml(`${node.id}: ${formatShare(share)} of ${shares.measure}`)}</title></rect>${text.join("")}</g>`,
    );
  }
  const width = Math.ceil(size.width ?? 100);
  const height = Math.ceil(size.height ?? 100);
  return [
    `<svg class="graph" data-graph="${escapeHtml(graph.name)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<defs><marker id="${arrow}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>`,
    ...parts,
    `</svg>`,
  ].join("\n");
}
