import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** One file `bench/<name>.bench.ts` exports `benchmark`; `bench/run.ts` finds it. */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<readonly object[]>;
}

export interface BenchResult {
  readonly case: string;
  readonly files: number;
  readonly iterations: number;
  readonly medianMs: number;
  readonly filesPerSecond: number;
  /** files/s of this case divided by files/s of the floor for the same number of files. */
  readonly ratioToFloor: number;
}

export interface MeasureOptions<S> {
  /** Untimed, before each iteration. */
  readonly setup: () => S | Promise<S>;
  /** The timed part. */
  readonly run: (state: S) => Promise<void>;
  /** Untimed, after each iteration. */
  readonly teardown?: (state: S) => void | Promise<void>;
  readonly warmup?: number;
  readonly minIterations?: number;
  readonly maxIterations?: number;
  /** Keep iterating until this much timed work has been done. */
  readonly minTimeMs?: number;
}

/** Runs warm-up iterations, then timed ones; returns the time of each timed one in ms. */
export async function measure<S>(
  options: MeasureOptions<S>,
): Promise<number[]> {
  const {
    warmup = 3,
    minIterations = 7,
    maxIterations = 2000,
    minTimeMs = 750,
  } = options;
  const once = async (): Promise<number> => {
    const state = await options.setup();
    const start = process.hrtime.bigint();
    await options.run(state);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    await options.teardown?.(state);
    return elapsed;
  };
  for (let i = 0; i < warmup; i++) await once();
  const samples: number[] = [];
  let total = 0;
  while (
    samples.length < maxIterations &&
    (samples.length < minIterations || total < minTimeMs)
  ) {
    const sample = await once();
    samples.push(sample);
    total += sample;
  }
  return samples;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median() of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Prints rows as an aligned text table; numeric columns are right-aligned. */
export function printTable(
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): void {
  const cells = rows.map((row) => row.map(String));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...cells.map((row) => row[i].length)),
  );
  const numeric = headers.map((_, i) =>
    cells.every((row) => /^-?[\d.,]+$/.test(row[i])),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) =>
        numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]),
      )
      .join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) console.log(line(row));
}

/** Writes `bench/results/<name>.json` (git-ignored) and returns its path. */
export async function writeResults(
  name: string,
  results: readonly object[],
  settings: Readonly<Record<string, unknown>>,
): Promise<string> {
  const folder = join(__dirname, 'results');
  await mkdir(folder, { recursive: true });
  const file = join(folder, `${name}.json`);
  const report = {
    benchmark: name,
    date: new Date().toISOString(),
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpu: cpus()[0]?.model ?? 'unknown',
    },
    settings,
    results,
  };
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

export const round = (value: number, digits: number): number =>
  Number(value.toFixed(digits));
