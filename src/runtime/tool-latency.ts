// Measured tool latency per tool (an exponentially weighted mean of completed calls, in ms), so tool-wait
// retention keeps a prefix for as long as the tool actually takes rather than only what was declared.
export class ToolLatency {
  private readonly meanMs = new Map<string, number>();

  record(tool: string, ms: number): void {
    const mean = this.meanMs.get(tool);
    this.meanMs.set(tool, mean === undefined ? ms : mean + 0.2 * (ms - mean));
  }

  /** The slowest measured mean of these tools, or undefined when none has completed a call yet. */
  slowest(tools: readonly string[]): number | undefined {
    let slowest: number | undefined;
    for (const tool of tools) {
      const mean = this.meanMs.get(tool);
      if (mean !== undefined && (slowest === undefined || mean > slowest)) slowest = mean;
    }
    return slowest;
  }
}
