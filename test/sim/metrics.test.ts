// The simulator's Prometheus text: label values escaped as the exposition format says, so a model name with quotes,
// backslashes or a line break still gives one parsable series per metric.
import { describe, expect, it } from "vitest";
import { parsePrometheusText } from "../../src/backends/openai-compatible/prometheus.js";
import { escapeLabelValue } from "../../src/sim/metrics.js";

describe("escapeLabelValue", () => {
  it("escapes backslash, double quote and line feed, and nothing else", () => {
    expect(escapeLabelValue('a"b\\c\nd é')).toBe('a\\"b\\\\c\\nd é');
    expect(escapeLabelValue("sim-llama-3.1-8b")).toBe("sim-llama-3.1-8b");
  });

  it("keeps a series with an escaped label on one line the backend's reader parses", () => {
    const text = `# TYPE x counter\nx{model_name="${escapeLabelValue('we"ird\nname')}"} 7\n`;
    expect(text.split("\n")).toHaveLength(3);
    expect(parsePrometheusText(text)).toEqual({ x: 7 });
  });
});
