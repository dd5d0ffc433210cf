// The HTML report's stylesheet, inlined into the page.
export const REPORT_STYLES = `
:root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; background: #fff; }
body { margin: 24px auto; max-width: 1280px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #dde2ec; }
h3 { font-size: 13px; margin: 8px 0 2px; font-weight: 600; }
header p, .note { color: #5b6478; margin: 0 0 8px; font-size: 13px; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; margin: 16px 0; }
.summary div { background: #f4f6fb; border-radius: 6px; padding: 8px 12px; min-width: 110px; }
.summary dt { font-size: 11px; color: #5b6478; } .summary dd { margin: 0; font-size: 17px; font-weight: 600; }
figure { margin: 8px 0 16px; overflow-x: auto; } figcaption { font-size: 13px; color: #5b6478; margin-bottom: 4px; }
svg.graph text { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; fill: #1d2330; }
svg.graph text.title { font-weight: 700; }
svg.graph rect.node { stroke: #5b6478; stroke-width: 1; }
svg.graph .edge path { fill: none; stroke: #8a93a6; stroke-width: 1.4; }
svg.graph .edge text { font-size: 11px; fill: #3b4252; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg.graph marker path { fill: #8a93a6; }
table { border-collapse: collapse; font-size: 12px; width: 100%; }
th, td { padding: 4px 6px; border-bottom: 1px solid #e8ebf2; text-align: left; vertical-align: top; }
th { background: #f4f6fb; font-weight: 600; } td.num, th.num { text-align: right; white-space: nowrap; }
.kind { color: #5b6478; font-size: 11px; }
.chart { display: inline-block; margin: 0 16px 12px 0; vertical-align: top; } .chart svg { display: block; }
svg.timeline text { font-size: 10px; fill: #5b6478; } svg.timeline .axis { stroke: #c4cad6; }
.legend { font-size: 11px; color: #5b6478; margin-right: 8px; }
.legend i { display: inline-block; width: 10px; height: 3px; margin-right: 4px; vertical-align: middle; }
.filters { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; font-size: 13px; }
.filters input { flex: 1; max-width: 360px; padding: 4px 6px; }
td.error { font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-word; }
`;
