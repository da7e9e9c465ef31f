import type { CliOutput } from './cli-command';

/** Aligned columns; numbers right-aligned. */
export function printTable(
  out: CliOutput,
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): void {
  const cells = rows.map((row) => row.map(String));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...cells.map((row) => row[i].length)),
  );
  const numeric = headers.map((_, i) =>
    rows.every((row) => typeof row[i] === 'number'),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) =>
        numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd();
  out.write(`${line(headers)}\n`);
  for (const row of cells) out.write(`${line(row)}\n`);
}
