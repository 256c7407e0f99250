/** Simulated latencies are multiplied by SAMPLE_TIME_SCALE (default 1), so tests can run fast. */
export function scaled(ms: number): number {
  const scale = Number(process.env.SAMPLE_TIME_SCALE ?? '1');
  return Number.isFinite(scale) && scale >= 0 ? ms * scale : ms;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, scaled(ms)));
}
