import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  defineRepository,
  FennFlowConnector,
  FileSystemConnectorConfig,
  InMemoryBackend,
  Put,
  S3ConnectorConfig,
  StreamContent,
  UnitOfWork,
  UnitOfWorkFactory,
  silentLogger,
} from 'fennflow-nestjs';

/**
 * One case of bench/streaming.bench.ts, run in a child process of its own so that no case
 * inherits the heap or the allocator arenas of another: `node … streaming-case.js <input json>`;
 * the result goes back over IPC.
 */

export const STREAM_CASES = [
  'fs pipeline (floor)',
  'unit of work → filesystem',
  'SDK Upload → s3rver (floor)',
  'unit of work → S3 (s3rver)',
] as const;
export type StreamCase = (typeof STREAM_CASES)[number];

export interface CaseInput {
  readonly case: StreamCase;
  readonly totalBytes: number;
  readonly chunkBytes: number;
  readonly sampleMs: number;
  readonly partSize: number;
  readonly queueSize: number;
  /** Diagnostic: run a full GC before each sample, so samples show live memory, not garbage. */
  readonly gcBeforeSample?: boolean;
  readonly s3?: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { accessKeyId: string; secretAccessKey: string };
  };
}

export interface CaseResult {
  readonly case: StreamCase;
  /** Multipart settings of the S3 cases, e.g. `8 MiB × 4`. */
  readonly parts: string;
  readonly bytes: number;
  readonly seconds: number;
  readonly mibPerSecond: number;
  readonly baselineRssMiB: number;
  /** Highest sampled RSS minus the baseline. */
  readonly peakRssGrowthMiB: number;
  /** The kernel's peak RSS of the process (getrusage) minus the baseline: catches spikes between samples. */
  readonly maxRssGrowthMiB: number;
  readonly peakHeapUsedGrowthMiB: number;
  /** Memory of Buffers and other objects outside the V8 heap. */
  readonly peakExternalGrowthMiB: number;
  readonly samples: number;
}

const MiB = 1024 * 1024;
const NAMESPACE = 'bench-stream';
const KEY = 'big/stream.bin';

const PutRepository = defineRepository(Put);
class StreamUnitOfWork extends UnitOfWork {
  readonly files = this.repository(PutRepository, { namespace: NAMESPACE });
}

/** `total` bytes in `chunk`-sized buffers, each made when the consumer asks for it. */
export function generatedStream(total: number, chunk: number): Readable {
  let sent = 0;
  let index = 0;
  return new Readable({
    highWaterMark: chunk,
    read() {
      if (sent >= total) return void this.push(null);
      const size = Math.min(chunk, total - sent);
      const buffer = Buffer.allocUnsafe(size).fill(index++ % 251);
      sent += size;
      this.push(buffer);
    },
  });
}

interface Prepared {
  /** The timed part: puts `stream` under KEY. */
  run(stream: Readable): Promise<void>;
  cleanup(): Promise<void>;
}

async function prepare(input: CaseInput): Promise<Prepared> {
  switch (input.case) {
    case 'fs pipeline (floor)': {
      const folder = await mkdtemp(join(tmpdir(), 'fennflow-bench-fs-'));
      return {
        run: (stream) =>
          pipeline(stream, createWriteStream(join(folder, 'stream.bin'))),
        cleanup: () => rm(folder, { recursive: true, force: true }),
      };
    }
    case 'unit of work → filesystem': {
      const root = await mkdtemp(join(tmpdir(), 'fennflow-bench-fs-'));
      const connector = await new FileSystemConnectorConfig({ root }).create();
      return unitOfWorkCase(connector, () =>
        rm(root, { recursive: true, force: true }),
      );
    }
    case 'SDK Upload → s3rver (floor)': {
      const s3 = requireS3(input);
      const client = new S3Client({
        region: s3.region,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: s3.credentials,
      });
      await client
        .send(new CreateBucketCommand({ Bucket: NAMESPACE }))
        .catch((error: unknown) => {
          const name = (error as Error).name;
          if (
            !['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(name)
          )
            throw error;
        });
      const Key = `raw-${randomUUID()}`;
      const upload = async (body: Readable | Buffer, key: string) => {
        await new Upload({
          client,
          params: { Bucket: NAMESPACE, Key: key, Body: body },
          partSize: input.partSize,
          queueSize: input.queueSize,
          leavePartsOnError: false,
        }).done();
      };
      // Warm-up: loads the SDK's lazy modules and opens a connection before the baseline.
      await upload(generatedStream(MiB, 64 * 1024), `${Key}-warm-up`);
      return {
        run: (stream) => upload(stream, Key),
        cleanup: async () => {
          await client.send(
            new DeleteObjectsCommand({
              Bucket: NAMESPACE,
              Delete: { Objects: [{ Key }, { Key: `${Key}-warm-up` }] },
            }),
          );
          client.destroy();
        },
      };
    }
    case 'unit of work → S3 (s3rver)': {
      const s3 = requireS3(input);
      const connector = await new S3ConnectorConfig({
        region: s3.region,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: s3.credentials,
        createBuckets: true,
        partSize: input.partSize,
        queueSize: input.queueSize,
      }).create();
      return unitOfWorkCase(connector, () => connector.close());
    }
  }
}

async function unitOfWorkCase(
  connector: FennFlowConnector,
  close: () => Promise<void>,
): Promise<Prepared> {
  await connector.ensureNamespace(NAMESPACE);
  const factory = new UnitOfWorkFactory({
    backend: new InMemoryBackend(`bench-stream-${randomUUID()}`),
    connector,
    unitOfWork: StreamUnitOfWork,
    logger: silentLogger,
  });
  const put = (stream: Readable, filename: string) =>
    factory.run(async (uow) => {
      await uow.files.put(StreamContent.from(stream, { filename }));
    });
  // Warm-up, as for the SDK floor: lazy modules, the bucket's If-None-Match probe, a connection.
  await put(generatedStream(MiB, 64 * 1024), 'warm-up.bin');
  return {
    run: (stream) => put(stream, KEY),
    cleanup: async () => {
      await connector.deleteObjects(NAMESPACE, [KEY, 'warm-up.bin']);
      await close();
    },
  };
}

function requireS3(input: CaseInput): NonNullable<CaseInput['s3']> {
  if (!input.s3) throw new Error(`${input.case} needs an s3rver endpoint.`);
  return input.s3;
}

async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function runCase(input: CaseInput): Promise<CaseResult> {
  const prepared = await prepare(input);
  await settle();
  const base = process.memoryUsage();
  const peak = {
    rss: base.rss,
    heapUsed: base.heapUsed,
    external: base.external,
  };
  let samples = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = () => {
    if (input.gcBeforeSample) gc?.();
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
    peak.external = Math.max(peak.external, now.external);
    samples++;
  };
  const timer = setInterval(sample, input.sampleMs);
  const start = process.hrtime.bigint();
  try {
    await prepared.run(generatedStream(input.totalBytes, input.chunkBytes));
  } finally {
    clearInterval(timer);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  sample();
  const maxRss = process.resourceUsage().maxRSS * 1024;
  await prepared.cleanup();
  const mib = (bytes: number) => Number((bytes / MiB).toFixed(1));
  return {
    case: input.case,
    parts: /s3/i.test(input.case)
      ? `${input.partSize / MiB} MiB × ${input.queueSize}`
      : '-',
    bytes: input.totalBytes,
    seconds: Number(seconds.toFixed(2)),
    mibPerSecond: Number((input.totalBytes / MiB / seconds).toFixed(1)),
    baselineRssMiB: mib(base.rss),
    peakRssGrowthMiB: mib(peak.rss - base.rss),
    maxRssGrowthMiB: mib(maxRss - base.rss),
    peakHeapUsedGrowthMiB: mib(peak.heapUsed - base.heapUsed),
    peakExternalGrowthMiB: mib(peak.external - base.external),
    samples,
  };
}

if (require.main === module) {
  const input = JSON.parse(process.argv[2] ?? '{}') as CaseInput;
  runCase(input).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) => {
      process.send?.(
        {
          error:
            error instanceof Error
              ? (error.stack ?? error.message)
              : String(error),
        },
        () => process.exit(1),
      );
    },
  );
}
