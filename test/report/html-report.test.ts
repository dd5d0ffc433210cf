// The HTML run report in a real browser: Debian's Chromium, driven by puppeteer-core, opens the page written for a
// test run and finds no console errors and no request beyond the file itself, one SVG shape per IR node, one table
// row per IR node, edge labels with item counts, timeline charts, and a failed-items filter that works. A
// screenshot is saved under test-artifacts/ (gitignored).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtmlReport, ReportDataError } from "../../src/report/html-report.js";
import type { RunReport } from "../../src/runtime/run-report.js";
import { REPO_ROOT } from "../helpers/paths.js";
import { useScratchDir } from "../runtime/helpers/run-fixture.js";
import { featuresRunReport } from "./helpers/report-run.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(REPO_ROOT, "test-artifacts");
const scratch = useScratchDir("nexus-html-report-test-");

describe("the HTML run report", () => {
  let report: RunReport;
  let irNodes: number;
  let html: string;
  let browser: Browser;
  let page: Page;
  let profile: string;
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    const dir = scratch();
    ({ report, irNodes } = await featuresRunReport(dir));
    html = renderHtmlReport(report);
    const file = join(dir, "report.html");
    writeFileSync(file, html);
    profile = mkdtempSync(join(tmpdir(), "nexus-chromium-profile-"));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
      ],
    });
    page = await browser.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(String(error)));
    page.on("request", (request) => requests.push(request.url()));
    await page.setViewport({ width: 1300, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("loads without console errors and requests nothing but itself", () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(/^file:.*report\.html$/);
    expect(html).not.toMatch(/(src|href)=["']https?:/);
  });

  it("draws one shape per IR node and labels each edge with the items that took it", async () => {
    const shapes = await page.$$eval("svg.graph rect.node", (rects) => rects.map((r) => r.getAttribute("data-node")));
    expect(shapes).toHaveLength(irNodes);
    expect(new Set(shapes).size).toBe(irNodes);
    expect(shapes).toEqual(
      expect.arrayContaining(["main/fetch", "summarize_section/summarize", "enrichment/keywords"]),
    );
    const graphs = await page.$$eval("svg.graph", (svgs) => svgs.map((s) => s.getAttribute("data-graph")));
    expect(graphs).toEqual(["main", "summarize_section", "enrichment"]);
    const edgeLabels = await page.$$eval("svg.graph .edge text", (texts) => texts.map((t) => t.textContent));
    expect(edgeLabels).toContain("error · 1 items");
    expect(edgeLabels).toContain("success · 2 items");
    // The node that spent most is the darkest: its fill is not the zero-share white.
    const fills = await page.$$eval("svg.graph rect.node", (rects) => rects.map((r) => r.getAttribute("fill")));
    expect(fills.filter((fill) => fill !== "rgb(244,246,251)").length).toBeGreaterThan(0);
  });

  it("has one table row per IR node, with the compiler's batch settings next to what the run observed", async () => {
    const rows = await page.$$eval("#nodes tbody tr", (trs) => trs.map((tr) => tr.textContent ?? ""));
    expect(rows).toHaveLength(irNodes);
    const summarize = rows.find((row) => row.startsWith("summarize_section/summarize"))!;
    expect(summarize).toMatch(/engine: size ≤ \d+, wait ≤/);
    expect(summarize).toMatch(/size [\d.]+ mean, \d+ max/);
  });

  it("draws the timeline and sets the estimate next to the measured numbers", async () => {
    expect(await page.$$eval("svg.timeline", (svgs) => svgs.length)).toBe(4);
    const estimate = await page.$$eval("#estimate tbody tr", (trs) => trs.map((tr) => tr.textContent ?? ""));
    expect(estimate[0]).toMatch(/^cache-hit share of input tokens[\d.]+%[\d.]+%/);
    expect(estimate.some((row) => row.startsWith("cost per 1,000 items (as run)"))).toBe(true);
  });

  it("lists the failed items, escaped, with a filter that hides the others", async () => {
    const failed = await page.$$eval("#failed tbody tr", (trs) => trs.map((tr) => tr.children[0].textContent));
    expect(failed.sort()).toEqual(["4", "<script>alert(1)</script>"].sort());
    await page.type("#failed-filter", "sections");
    const visible = await page.$$eval("#failed tbody tr", (trs) =>
      trs.filter((tr) => !tr.hasAttribute("hidden")).map((tr) => tr.children[0].textContent),
    );
    expect(visible).toEqual(["<script>alert(1)</script>"]);
    expect(await page.$eval("#failed-shown", (b) => b.textContent)).toBe("1");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "html-report.png"), fullPage: true });
  });

  it("cannot be drawn from a report without the compiler's plan", () => {
    expect(() => renderHtmlReport({ ...report, plan: undefined })).toThrow(ReportDataError);
  });
});
