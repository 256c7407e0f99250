/**
 * The one way durations are written, in the terminal, beside the code and in the timeline:
 * `250 µs`, `7.5 ms`, `412 ms`, `3.14 s`, `42.4 s`, `2 min 5 s`; three significant digits, a
 * sign for differences, `–` for a value that is not a number.
 *
 * With `resolutionMs` (an axis tick's step) the unit and decimals follow the step instead, so
 * neighbouring ticks read differently (`250 ms`, `252 ms`) and the origin is a bare `0`.
 */
export function formatDuration(ms: number, resolutionMs?: number): string {
  if (!Number.isFinite(ms)) return '–';
  const sign = ms < 0 ? '-' : '';
  const v = Math.abs(ms);
  if (v === 0) return resolutionMs === undefined ? '0 ms' : '0';
  const res = resolutionMs ?? v;
  if (v < 0.9995 && res < 1) return `${sign}${digits(v * 1000, res * 1000)} µs`;
  if (v < 999.5 && res < 1000) return `${sign}${digits(v, res)} ms`;
  if (v < 59_950) return `${sign}${digits(v / 1000, res / 1000)} s`;
  const seconds = Math.round(v / 1000);
  const min = Math.floor(seconds / 60);
  const s = seconds - min * 60;
  return `${sign}${min} min${s ? ` ${s} s` : ''}`;
}

/** Three significant digits, or as many decimals as the resolution needs (at most three). */
function digits(v: number, res: number): string {
  let decimals = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  if (res > 0 && res < v) decimals = Math.max(decimals, Math.min(3, Math.ceil(-Math.log10(res) + 1e-9)));
  if (res >= 1 && Number.isInteger(v)) decimals = 0;
  return Number(v.toFixed(decimals)).toString();
}
