// What the runtime benches print: labelled rows in two aligned columns, and numbers rounded for them.

/** Writes `label  value` rows to stdout, the values aligned after the longest label. */
export function printRows(rows: ReadonlyArray<readonly [string, string]>): void {
  const w = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n');
}

/** `x` rounded to `digits` decimals (a number, for JSON output as well as text). */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
