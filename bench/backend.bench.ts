import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import {
  BinaryContent,
  defineRepository,
  InMemoryConnector,
  PostgresBackend,
  Put,
  SqliteBackend,
  UnitOfWork,
  UnitOfWorkFactory,
  silentLogger,
} from 'fennflow-nestjs';
import { RECORD_COLUMNS } from '../lib/backends/sql/sql-rows';
import {
  Benchmark,
  BenchResult,
  measure,
  median,
  printTable,
  round,
  writeResults,
} from './bench-utils';

const FILE_COUNTS = [1, 10, 100, 1000] as const;
const FILE_BYTES = 64;
const NAMESPACE = 'bench-files';
const DATABASE_URL =
  process.env.FENNFLOW_BENCH_DATABASE_URL ??
  process.env.FENNFLOW_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const RAW_PG = 'raw pg: INSERT … SELECT unnest (reference)';

/** Records table columns after `scope`, as the backends create them. */
const COLUMNS = RECORD_COLUMNS;
const PG_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'bigint',
  'text',
  'text',
  'json',
  'timestamptz',
  'timestamptz',
  'text',
] as const;

const PutRepository = defineRepository(Put);

class BenchUnitOfWork extends UnitOfWork {
  readonly files = this.repository(PutRepository, { namespace: NAMESPACE });
}

type CountingBackend = PostgresBackend | SqliteBackend;

export interface BackendBenchResult extends BenchResult {
  readonly msPerFile: number;
  /** Median time divided by the raw pg insert's for the same number of rows. */
  readonly timesRawPg: number;
  /** Statements sent by the backend in the put call (flush) and in commit(); null for raw cases. */
  readonly flushQueries: number | null;
  readonly commitQueries: number | null;
}

interface Case {
  readonly name: string;
  readonly measure: (count: number) => Promise<{
    samples: number[];
    flushQueries: number | null;
    commitQueries: number | null;
  }>;
}

let iteration = 0;
const nextPrefix = () => `i${++iteration}`;

/** One row per file, the same columns the backends write. */
function rowsFor(count: number): unknown[][] {
  const prefix = nextPrefix();
  const now = new Date();
  return Array.from({ length: count }, (_, i) => [
    NAMESPACE,
    `${prefix}/file-${String(i).padStart(5, '0')}.bin`,
    'uploaded',
    'raw-session',
    `raw-operation-${i}`,
    'put',
    null,
    FILE_BYTES,
    'application/octet-stream',
    'd41d8cd98f00b204e9800998ecf8427e',
    '{}',
    now,
    now,
    null,
  ]);
}

function filesFor(count: number): BinaryContent[] {
  const prefix = nextPrefix();
  return Array.from({ length: count }, (_, i) =>
    BinaryContent.from(randomBytes(FILE_BYTES), {
      filename: `${prefix}/file-${String(i).padStart(5, '0')}.bin`,
    }),
  );
}

/** put of `count` files then commit, through a unit of work; begin and close are not timed. */
function unitOfWorkCase(
  name: string,
  backend: CountingBackend,
  factory: UnitOfWorkFactory<BenchUnitOfWork>,
): Case {
  return {
    name,
    async measure(count) {
      let flushQueries = 0;
      let commitQueries = 0;
      const samples = await measure({
        setup: async () => ({
          files: filesFor(count),
          uow: await factory.begin(),
        }),
        run: async ({ files, uow }) => {
          const before = backend.queryCount;
          await uow.files.put(...files);
          const staged = backend.queryCount;
          await uow.commit();
          flushQueries = staged - before;
          commitQueries = backend.queryCount - staged;
        },
        teardown: ({ uow }) => uow.close(),
      });
      return { samples, flushQueries, commitQueries };
    },
  };
}

function rawPgCase(pool: Pool, schema: string): Case {
  const sql = `INSERT INTO "${schema}".fennflow_records (scope, ${COLUMNS.join(', ')})
    SELECT 'raw-reference', * FROM unnest(${PG_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
  return {
    name: RAW_PG,
    async measure(count) {
      const samples = await measure({
        setup: () => {
          const rows = rowsFor(count);
          return COLUMNS.map((_, c) => rows.map((row) => row[c]));
        },
        run: async (columns) => {
          await pool.query(sql, columns);
        },
      });
      return { samples, flushQueries: null, commitQueries: null };
    },
  };
}

function rawSqliteCase(db: Database.Database): Case {
  const insert = db.prepare(
    `INSERT INTO fennflow_records (scope, ${COLUMNS.join(', ')})
     VALUES ('raw-reference', ${COLUMNS.map(() => '?').join(', ')})`,
  );
  const insertAll = db.transaction((rows: unknown[][]) => {
    for (const row of rows) {
      insert.run(
        row.map((value) =>
          value instanceof Date ? value.toISOString() : value,
        ),
      );
    }
  });
  return {
    name: 'raw better-sqlite3: prepared INSERT, one transaction',
    async measure(count) {
      const samples = await measure({
        setup: () => rowsFor(count),
        run: async (rows) => {
          insertAll(rows);
        },
      });
      return { samples, flushQueries: null, commitQueries: null };
    },
  };
}

export const benchmark: Benchmark = {
  name: 'backend',
  description: `flush (put) + commit of N ${FILE_BYTES}-byte files through a unit of work on PostgreSQL and SQLite with the in-memory connector, vs. a raw pg multi-row insert of the same rows`,
  async run(): Promise<BackendBenchResult[]> {
    const schema = `fennflow_bench_${randomBytes(6).toString('hex')}`;
    const dir = await mkdtemp(join(tmpdir(), 'fennflow-bench-'));
    const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
    const store = `bench-backend-${process.pid}`;
    const pg = new PostgresBackend({
      connectionString: DATABASE_URL,
      schema,
      scope: 'bench',
    });
    const sqlite = new SqliteBackend({
      filename: join(dir, 'bench.sqlite'),
      scope: 'bench',
    });
    await pg.open();
    await sqlite.open();
    const rawSqlite = new Database(join(dir, 'bench.sqlite'));
    rawSqlite.pragma('journal_mode = WAL');
    rawSqlite.pragma('synchronous = FULL');
    const factory = (backend: CountingBackend) =>
      new UnitOfWorkFactory({
        backend,
        connector: new InMemoryConnector(store),
        unitOfWork: BenchUnitOfWork,
        logger: silentLogger,
        // No lease renewal lands inside a timed run.
        leaseMs: 3_600_000,
      });
    const cases: Case[] = [
      rawPgCase(pool, schema),
      unitOfWorkCase('postgres: unit of work put + commit', pg, factory(pg)),
      rawSqliteCase(rawSqlite),
      unitOfWorkCase(
        'sqlite: unit of work put + commit',
        sqlite,
        factory(sqlite),
      ),
    ];

    const results: BackendBenchResult[] = [];
    try {
      for (const count of FILE_COUNTS) {
        let rawMs = 0;
        for (const benchCase of cases) {
          const { samples, flushQueries, commitQueries } =
            await benchCase.measure(count);
          const medianMs = median(samples);
          if (benchCase.name === RAW_PG) rawMs = medianMs;
          results.push({
            case: benchCase.name,
            files: count,
            iterations: samples.length,
            medianMs: round(medianMs, 4),
            filesPerSecond: Math.round(count / (medianMs / 1000)),
            ratioToFloor: round(rawMs / medianMs, 4),
            msPerFile: round(medianMs / count, 4),
            timesRawPg: round(medianMs / rawMs, 2),
            flushQueries,
            commitQueries,
          });
        }
      }
    } finally {
      rawSqlite.close();
      await sqlite.close();
      await pg.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
      InMemoryConnector.reset(store);
      await rm(dir, { recursive: true, force: true });
    }

    printTable(
      [
        'case',
        'files',
        'median ms',
        'ms per file',
        'x raw pg',
        'queries flush+commit',
      ],
      results.map((r) => [
        r.case,
        r.files,
        r.medianMs.toFixed(3),
        r.msPerFile.toFixed(4),
        r.timesRawPg.toFixed(2),
        r.flushQueries === null ? '-' : `${r.flushQueries}+${r.commitQueries}`,
      ]),
    );
    const file = await writeResults(this.name, results, {
      fileCounts: FILE_COUNTS,
      fileBytes: FILE_BYTES,
      connector: 'in-memory',
      reference: RAW_PG,
      statistic:
        'median of timed iterations after 3 warm-ups; begin() and close() are not timed',
    });
    console.log(`\nResults written to ${file}`);
    return results;
  },
};
