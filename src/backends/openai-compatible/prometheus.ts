// Reads Prometheus text exposition into `{metric: value}`, summing a metric's labelled series (vLLM exports one
// series per model). Comments and unparsable lines are skipped.
export function parsePrometheusText(text: string): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (!Number.isNaN(value)) metrics[match[1]] = (metrics[match[1]] ?? 0) + value;
  }
  return metrics;
}
