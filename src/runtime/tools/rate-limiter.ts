// Spaces executions of one tool to at most `perSecond` starts per second (a token bucket of size one per tick).
// Kept instead of p-throttle, whose window lets a whole second's calls start at once (README's dependency table).
export class RateLimiter {
  private nextStart = 0;

  constructor(private readonly perSecond: number) {}

  async take(): Promise<void> {
    const now = performance.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + 1000 / this.perSecond;
    if (start > now) await new Promise((resolve) => setTimeout(resolve, start - now));
  }
}
