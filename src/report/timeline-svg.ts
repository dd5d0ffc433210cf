// The timeline: small inline SVG line charts over the run's time buckets (requests in flight, batches flushed,
// provider batches submitted and ended, the cache-hit share of prompt tokens, items finished).
import type { TimeBucket, TimelineData } from "../runtime/record/timeline.js";
import { escapeHtml, formatMs } from "./html.js";

const WIDTH = 720;
const HEIGHT = 130;
const LEFT = 44;
const BOTTOM = 20;
const TOP = 10;

interface Series {
  name: string;
  colour: string;
  values: number[];
}

function chart(title: string, bucketMs: number, series: Series[], format: (v: number) => string): string {
  const count = Math.max(1, ...series.map((s) => s.values.length));
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values));
  const x = (i: number) => LEFT + ((WIDTH - LEFT - 8) * i) / count;
  const y = (v: number) => TOP + (HEIGHT - TOP - BOTTOM) * (1 - v / max);
  // Steps: each bucket's value spans its width, so a run of one bucket still draws a line.
  const lines = series.map((s) => {
    const points = s.values
      .flatMap((v, i) => [`${x(i).toFixed(1)},${y(v).toFixed(1)}`, `${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`])
      .join(" ");
    return `<polyline class="series" fill="none" stroke="${s.colour}" stroke-width="1.8" points="${points}"><title>${escapeHtml(s.name)}</title></polyline>`;
  });
  const axis = [
    `<line x1="${LEFT}" y1="${HEIGHT - BOTTOM}" x2="${WIDTH - 8}" y2="${HEIGHT - BOTTOM}" class="axis"/>`,
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${HEIGHT - BOTTOM}" class="axis"/>`,
    `<text x="${LEFT - 4}" y="${TOP + 8}" text-anchor="end">${escapeHtml(format(max))}</text>`,
    `<text x="${LEFT - 4}" y="${HEIGHT - BOTTOM}" text-anchor="end">0</text>`,
    `<text x="${LEFT}" y="${HEIGHT - 5}">0</text>`,
    `<text x="${WIDTH - 8}" y="${HEIGHT - 5}" text-anchor="end">${escapeHtml(formatMs(count * bucketMs))}</text>`,
  ];
  const legend = series
    .map((s) => `<span class="legend"><i style="background:${s.colour}"></i>${escapeHtml(s.name)}</span>`)
    .join(" ");
  return [
    `<div class="chart"><h3>${escapeHtml(title)}</h3><div>${legend}</div>`,
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">${axis.join("")}${lines.join("")}</svg></div>`,
  ].join("\n");
}

const pick = (buckets: TimeBucket[], f: (b: TimeBucket) => number) => buckets.map(f);
const plain = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

export function timelineCharts(timeline: TimelineData): string {
  const { buckets, bucketMs } = timeline;
  const per = `per ${formatMs(bucketMs)}`;
  const charts = [
    chart(
      "Requests in flight (most at once)",
      bucketMs,
      [{ name: "in flight", colour: "#3b6fd4", values: pick(buckets, (b) => b.maxInflight) }],
      plain,
    ),
    chart(
      `Batches ${per}`,
      bucketMs,
      [
        { name: "flushed by the accumulator", colour: "#7a4fd0", values: pick(buckets, (b) => b.batchesFlushed) },
        {
          name: "provider batches submitted",
          colour: "#d08a1f",
          values: pick(buckets, (b) => b.providerBatchesSubmitted),
        },
        { name: "provider batches ended", colour: "#2c9a5b", values: pick(buckets, (b) => b.providerBatchesEnded) },
      ],
      plain,
    ),
    chart(
      "Cache-hit share of prompt tokens",
      bucketMs,
      [
        {
          name: "cached share",
          colour: "#2c9a5b",
          values: pick(buckets, (b) => (b.promptTokens ? b.cachedTokens / b.promptTokens : 0)),
        },
      ],
      (v) => `${Math.round(v * 100)}%`,
    ),
    chart(
      `Items finished ${per}`,
      bucketMs,
      [
        { name: "succeeded", colour: "#3b6fd4", values: pick(buckets, (b) => b.itemsSucceeded) },
        { name: "failed", colour: "#d23c3c", values: pick(buckets, (b) => b.itemsFailed) },
      ],
      plain,
    ),
  ];
  return charts.join("\n");
}
