import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark } from './bench-utils';

/**
 * Runs every `bench/*.bench.ts` in turn, or only those whose name contains one of the
 * arguments: `npm run bench -- unit-of-work`.
 */
async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((file) => /\.bench\.[jt]s$/.test(file))
    .sort();
  const benchmarks: Benchmark[] = [];
  for (const file of files) {
    const loaded = (await import(join(__dirname, file))) as {
      benchmark?: Benchmark;
    };
    if (!loaded.benchmark) throw new Error(`${file} exports no 'benchmark'.`);
    benchmarks.push(loaded.benchmark);
  }
  const selected = benchmarks.filter(
    (b) => filters.length === 0 || filters.some((f) => b.name.includes(f)),
  );
  if (selected.length === 0) {
    const names = benchmarks.map((b) => b.name).join(', ');
    throw new Error(
      `No benchmark matches ${filters.join(' ')}; known: ${names}.`,
    );
  }
  for (const benchmark of selected) {
    console.log(`\n== ${benchmark.name}: ${benchmark.description}\n`);
    await benchmark.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
