import { fork } from 'node:child_process';
import { join } from 'node:path';
import { startS3rver } from '../test/support/s3rver';
import { Benchmark, printTable, writeResults } from './bench-utils';
import { STREAM_CASES } from './streaming-case';
import type { CaseInput, CaseResult, StreamCase } from './streaming-case';

const MiB = 1024 * 1024;
const TOTAL_BYTES = Number(process.env.STREAM_BENCH_MIB ?? 512) * MiB;
/** RSS growth allowed while putting the stream (issue 3). */
const LIMIT_MIB = 64;
const SETTINGS = {
  totalBytes: TOTAL_BYTES,
  chunkBytes: 64 * 1024,
  sampleMs: 50,
  // The S3 connector's defaults, given to the raw SDK Upload too.
  partSize: Number(process.env.STREAM_BENCH_PART_MIB ?? 5) * MiB,
  queueSize: Number(process.env.STREAM_BENCH_QUEUE ?? 1),
  gcBeforeSample: process.env.STREAM_BENCH_GC_SAMPLES === '1',
} as const;

type ChildMessage = { result: CaseResult } | { error: string };

/** Runs one case in a fresh Node process (ts-node, --expose-gc), so no case inherits another's memory. */
function runInChild(input: CaseInput): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = fork(
      join(__dirname, 'streaming-case.ts'),
      [JSON.stringify(input)],
      {
        execArgv: [
          '--expose-gc',
          '-r',
          require.resolve('ts-node/register/transpile-only'),
          '-r',
          require.resolve('tsconfig-paths/register'),
        ],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    let settled = false;
    child.once('message', (message: ChildMessage) => {
      settled = true;
      if ('result' in message) resolve(message.result);
      else reject(new Error(`${input.case} failed:\n${message.error}`));
    });
    child.once('exit', (code) => {
      if (!settled)
        reject(new Error(`${input.case}: child exited with code ${code}`));
    });
  });
}

function floorOf(name: StreamCase): StreamCase | null {
  if (name === 'unit of work → filesystem') return 'fs pipeline (floor)';
  if (name === 'unit of work → S3 (s3rver)')
    return 'SDK Upload → s3rver (floor)';
  return null;
}

export const benchmark: Benchmark = {
  name: 'streaming',
  description: `a ${TOTAL_BYTES / MiB} MiB generated stream through a unit of work (StreamContent, put + commit) to the filesystem and to S3 (s3rver in a child process); RSS growth over the baseline and throughput next to a raw fs pipeline and the raw AWS SDK Upload`,
  async run() {
    const server = await startS3rver();
    const results: CaseResult[] = [];
    try {
      const s3 = {
        endpoint: server.endpoint,
        region: server.region,
        credentials: server.credentials,
      };
      // s3rver warms up (JIT, first bucket writes) on an unmeasured upload.
      await runInChild({
        ...SETTINGS,
        case: 'SDK Upload → s3rver (floor)',
        totalBytes: 64 * MiB,
        s3,
      });
      // STREAM_BENCH_CASES=1,0,1,0 picks cases by index into STREAM_CASES, in that order.
      const order: CaseInput[] = process.env.STREAM_BENCH_CASES
        ? process.env.STREAM_BENCH_CASES.split(',').map((i) => ({
            ...SETTINGS,
            case: STREAM_CASES[Number(i)],
            s3,
          }))
        : [
            { ...SETTINGS, case: 'SDK Upload → s3rver (floor)', s3 },
            { ...SETTINGS, case: 'unit of work → S3 (s3rver)', s3 },
            // Larger and more parallel parts: faster on real S3, more memory.
            {
              ...SETTINGS,
              case: 'SDK Upload → s3rver (floor)',
              partSize: 8 * MiB,
              queueSize: 4,
              s3,
            },
            {
              ...SETTINGS,
              case: 'unit of work → S3 (s3rver)',
              partSize: 8 * MiB,
              queueSize: 4,
              s3,
            },
            { ...SETTINGS, case: 'fs pipeline (floor)' },
            { ...SETTINGS, case: 'unit of work → filesystem' },
          ];
      for (const input of order) results.push(await runInChild(input));
    } finally {
      await server.stop();
    }

    const floorFor = (r: CaseResult) =>
      results.find((f) => f.case === floorOf(r.case) && f.parts === r.parts);
    const rows = results.map((r) => {
      const floor = floorFor(r);
      const verdict =
        floorOf(r.case) === null
          ? '-'
          : r.peakRssGrowthMiB < LIMIT_MIB
            ? 'PASS'
            : 'FAIL';
      return {
        ...r,
        vsFloor: floor
          ? Number((r.mibPerSecond / floor.mibPerSecond).toFixed(2))
          : null,
        verdict,
      };
    });
    printTable(
      [
        'case',
        'parts',
        'MiB/s',
        'vs floor',
        'RSS base MiB',
        'peak RSS growth MiB',
        'maxRSS growth MiB*',
        'heap growth MiB',
        'external growth MiB',
        `< ${LIMIT_MIB} MiB`,
      ],
      rows.map((r) => [
        r.case,
        r.parts,
        r.mibPerSecond,
        r.vsFloor ?? '-',
        r.baselineRssMiB,
        r.peakRssGrowthMiB,
        r.maxRssGrowthMiB,
        r.peakHeapUsedGrowthMiB,
        r.peakExternalGrowthMiB,
        r.verdict,
      ]),
    );
    for (const row of rows.filter((r) => r.verdict !== '-')) {
      console.log(
        `${row.verdict}: ${row.case}${row.parts === '-' ? '' : ` (${row.parts})`} grew RSS by ${row.peakRssGrowthMiB} MiB (limit ${LIMIT_MIB} MiB)`,
      );
    }
    console.log(
      '* getrusage peak of the whole child minus the baseline: an upper bound that includes start-up and warm-up.',
    );
    const file = await writeResults('streaming', rows, {
      ...SETTINGS,
      limitMiB: LIMIT_MIB,
      note: 'Each case runs in its own child process; RSS is sampled every sampleMs and checked against the kernel peak (getrusage maxRSS). A benchmark, not a test: FAIL is reported, not thrown.',
    });
    console.log(`\nResults written to ${file}`);
    return rows;
  },
};
