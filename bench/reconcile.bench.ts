import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FennFlowBackend,
  FileSystemConnector,
  InMemoryBackend,
  Reconciler,
  ReconcileStrategy,
  SqliteBackendConfig,
  silentLogger,
} from 'fennflow-nestjs';
import {
  Benchmark,
  BenchResult,
  printTable,
  round,
  writeResults,
} from './bench-utils';

/** `BENCH_RECONCILE_OBJECTS=10000 npm run bench -- reconcile` for a quicker run. */
const OBJECTS = Number(process.env.BENCH_RECONCILE_OBJECTS ?? 100_000);
const PER_FOLDER = 1000;
const BATCH_SIZE = 1000;
const NAMESPACE = 'bench-reconcile';

interface ReconcileBenchResult extends BenchResult {
  /** Highest RSS sampled during the timed part, and its rise over the RSS just before. */
  readonly peakRssMb: number;
  readonly rssGrowthMb: number;
}

/** Samples RSS every 20 ms while `run` is timed. */
async function timed(
  run: () => Promise<unknown>,
): Promise<{ ms: number; peakRss: number; baseRss: number }> {
  global.gc?.();
  const baseRss = process.memoryUsage.rss();
  let peakRss = baseRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 20);
  const start = process.hrtime.bigint();
  try {
    await run();
  } finally {
    clearInterval(sampler);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  return { ms, peakRss, baseRss };
}

/** Untimed: small objects spread over folders of 1000, written with the connector itself. */
async function fillBucket(connector: FileSystemConnector): Promise<void> {
  const keys = Array.from({ length: OBJECTS }, (_, i) => {
    const folder = String(Math.floor(i / PER_FOLDER)).padStart(4, '0');
    return `folder-${folder}/object-${String(i).padStart(7, '0')}.txt`;
  });
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      await connector.putObject(NAMESPACE, key, Buffer.from(key), {
        mediaType: 'text/plain',
        metadata: {},
      });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  console.log(
    `Created ${OBJECTS.toLocaleString('en-US')} objects in ${((Date.now() - started) / 1000).toFixed(1)} s (untimed).`,
  );
}

export const benchmark: Benchmark = {
  name: 'reconcile',
  description: `reconcile a filesystem bucket of ${OBJECTS.toLocaleString('en-US')} small objects into SQLite and in-memory (batch ${BATCH_SIZE}); floor: listing the bucket alone`,
  async run(): Promise<BenchResult[]> {
    const dir = mkdtempSync(join(tmpdir(), 'fennflow-bench-reconcile-'));
    const results: ReconcileBenchResult[] = [];
    try {
      const connector = new FileSystemConnector(join(dir, 'data'));
      await fillBucket(connector);
      let floorMs = 0;
      const record = (
        name: string,
        t: { ms: number; peakRss: number; baseRss: number },
      ) => {
        if (name.endsWith('(floor)')) floorMs = t.ms;
        results.push({
          case: name,
          files: OBJECTS,
          iterations: 1,
          medianMs: round(t.ms, 1),
          filesPerSecond: Math.round(OBJECTS / (t.ms / 1000)),
          ratioToFloor: round(floorMs / t.ms, 3),
          peakRssMb: round(t.peakRss / 2 ** 20, 1),
          rssGrowthMb: round((t.peakRss - t.baseRss) / 2 ** 20, 1),
        });
      };

      record(
        'listObjects, all pages (floor)',
        await timed(async () => {
          let cursor: string | null = null;
          do {
            cursor = (
              await connector.listObjects(NAMESPACE, {
                limit: BATCH_SIZE,
                cursor,
              })
            ).cursor;
          } while (cursor !== null);
        }),
      );

      const reconcileInto = async (
        backend: FennFlowBackend,
        strategy: ReconcileStrategy,
      ) => {
        const report = await new Reconciler({
          backend,
          connector,
          namespaces: [NAMESPACE],
          logger: silentLogger,
        }).reconcile({ strategy, batchSize: BATCH_SIZE });
        const scanned = report.namespaces[0]?.scanned ?? 0;
        if (scanned !== OBJECTS) {
          throw new Error(
            `Reconciled ${scanned} objects, expected ${OBJECTS}.`,
          );
        }
      };

      const memoryScope = `bench-${randomUUID()}`;
      const memory = new InMemoryBackend(memoryScope);
      record(
        'reconcile → in-memory (fill-if-empty)',
        await timed(() => reconcileInto(memory, 'fill-if-empty')),
      );
      record(
        'reconcile → in-memory (replace, all present)',
        await timed(() => reconcileInto(memory, 'replace')),
      );
      InMemoryBackend.reset(memoryScope);

      const sqlite = await new SqliteBackendConfig({
        filename: join(dir, 'meta.db'),
      }).create();
      await sqlite.open();
      try {
        record(
          'reconcile → SQLite (fill-if-empty)',
          await timed(() => reconcileInto(sqlite, 'fill-if-empty')),
        );
        record(
          'reconcile → SQLite (replace, all present)',
          await timed(() => reconcileInto(sqlite, 'replace')),
        );
      } finally {
        await sqlite.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    printTable(
      [
        'case',
        'objects',
        'ms',
        'objects/s',
        'ratio to floor',
        'peak RSS MB',
        'RSS growth MB',
      ],
      results.map((r) => [
        r.case,
        r.files,
        r.medianMs.toFixed(1),
        r.filesPerSecond,
        r.ratioToFloor.toFixed(3),
        r.peakRssMb.toFixed(1),
        r.rssGrowthMb.toFixed(1),
      ]),
    );
    const file = await writeResults(this.name, results, {
      objects: OBJECTS,
      objectsPerFolder: PER_FOLDER,
      batchSize: BATCH_SIZE,
      statistic: 'one timed run per case; RSS sampled every 20 ms',
    });
    console.log(`\nResults written to ${file}`);
    return results;
  },
};
