import { randomBytes } from 'node:crypto';
import {
  BinaryContent,
  defineRepository,
  InMemoryBackend,
  InMemoryConnector,
  Put,
  UnitOfWork,
  UnitOfWorkFactory,
  silentLogger,
} from 'fennflow-nestjs';
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
const FILE_BYTES = 1024;
const NAMESPACE = 'bench-files';

const PutRepository = defineRepository(Put);

class BenchUnitOfWork extends UnitOfWork {
  readonly files = this.repository(PutRepository, { namespace: NAMESPACE });
}

interface Scope {
  readonly name: string;
  readonly connector: InMemoryConnector;
  readonly factory: UnitOfWorkFactory<BenchUnitOfWork>;
}

let scopeCounter = 0;

/** Each iteration gets empty stores, so no run pays for the records of the previous ones. */
function freshScope(): Scope {
  const name = `bench-${++scopeCounter}`;
  const connector = new InMemoryConnector(name);
  const factory = new UnitOfWorkFactory({
    backend: new InMemoryBackend(name),
    connector,
    unitOfWork: BenchUnitOfWork,
    logger: silentLogger,
  });
  return { name, connector, factory };
}

function dropScope(scope: Scope): void {
  InMemoryBackend.reset(scope.name);
  InMemoryConnector.reset(scope.name);
}

type Case = (scope: Scope, files: readonly BinaryContent[]) => Promise<void>;

const CASES: ReadonlyArray<readonly [string, Case]> = [
  [
    'connector.putObject (floor)',
    async ({ connector }, files) => {
      for (const file of files) {
        await connector.putObject(
          NAMESPACE,
          file.filename,
          await file.bytes(),
          {
            mediaType: file.mediaType,
            metadata: {},
          },
        );
      }
    },
  ],
  [
    'unit of work: put + commit',
    async ({ factory }, files) => {
      await factory.run((uow) => uow.files.put(...files));
    },
  ],
  [
    'unit of work: put + rollback',
    async ({ factory }, files) => {
      const uow = await factory.begin();
      await uow.files.put(...files);
      await uow.rollback();
      await uow.close();
    },
  ],
];

function makeFiles(count: number): BinaryContent[] {
  return Array.from({ length: count }, (_, i) =>
    BinaryContent.from(randomBytes(FILE_BYTES), {
      filename: `file-${String(i).padStart(5, '0')}.bin`,
    }),
  );
}

export const benchmark: Benchmark = {
  name: 'unit-of-work',
  description: `put of ${FILE_BYTES}-byte files through a unit of work (commit, rollback) vs. directly on the connector; in-memory backend and connector`,
  async run(): Promise<BenchResult[]> {
    const results: BenchResult[] = [];
    for (const count of FILE_COUNTS) {
      const files = makeFiles(count);
      let floorMs = 0;
      for (const [name, runCase] of CASES) {
        const samples = await measure({
          setup: freshScope,
          run: (scope) => runCase(scope, files),
          teardown: dropScope,
        });
        const medianMs = median(samples);
        if (name.endsWith('(floor)')) floorMs = medianMs;
        results.push({
          case: name,
          files: count,
          iterations: samples.length,
          medianMs: round(medianMs, 4),
          filesPerSecond: Math.round(count / (medianMs / 1000)),
          ratioToFloor: round(floorMs / medianMs, 4),
        });
      }
    }
    printTable(
      ['case', 'files', 'median ms', 'files/s', 'ratio to floor'],
      results.map((r) => [
        r.case,
        r.files,
        r.medianMs.toFixed(3),
        r.filesPerSecond,
        r.ratioToFloor.toFixed(3),
      ]),
    );
    const file = await writeResults(this.name, results, {
      fileCounts: FILE_COUNTS,
      fileBytes: FILE_BYTES,
      statistic: 'median of timed iterations after 3 warm-ups',
    });
    console.log(`\nResults written to ${file}`);
    return results;
  },
};
