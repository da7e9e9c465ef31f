import { randomUUID } from 'node:crypto';
import {
  Copy,
  Create,
  Delete,
  DeletePrefix,
  defineRepository,
  FennFlowBackend,
  FennFlowConnector,
  Get,
  GetPrefix,
  InMemoryBackend,
  InMemoryConnector,
  List,
  Move,
  PresignedUrl,
  Put,
  Stat,
  UnitOfWork,
  UnitOfWorkFactory,
} from 'fennflow-nestjs';
import { silentLogger } from 'fennflow-nestjs';
import { FaultyConnector } from './faulty.connector';
import { sessionOf } from '../../lib/core/unit-of-work/unit-of-work';

export const FullRepository = defineRepository(
  Create,
  Put,
  Get,
  GetPrefix,
  List,
  Delete,
  DeletePrefix,
  Copy,
  Move,
  PresignedUrl,
  Stat,
);

export class TestUnitOfWork extends UnitOfWork {
  readonly docs = this.repository(FullRepository, { namespace: 'docs' });
  readonly media = this.repository(FullRepository, { namespace: 'media' });
}

export interface Fixture {
  readonly scope: string;
  readonly backend: FennFlowBackend;
  readonly storage: FennFlowConnector;
  readonly connector: FaultyConnector;
  readonly factory: UnitOfWorkFactory<TestUnitOfWork>;
}

/** A fresh scope on the in-memory backend and connector, with faults injectable around storage. */
export function inMemoryFixture(options: { leaseMs?: number } = {}): Fixture {
  const scope = `test-${randomUUID()}`;
  const backend = new InMemoryBackend(scope);
  const storage = new InMemoryConnector(scope);
  const connector = new FaultyConnector(storage);
  const factory = new UnitOfWorkFactory({
    backend,
    connector,
    unitOfWork: TestUnitOfWork,
    logger: silentLogger,
    leaseMs: options.leaseMs,
  });
  return { scope, backend, storage, connector, factory };
}

/** Every object key in a namespace, straight from storage. */
export async function storedKeys(
  connector: FennFlowConnector,
  namespace: string,
): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await connector.listObjects(namespace, {
      cursor,
      limit: 1000,
    });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.cursor;
  } while (cursor !== null);
  return keys;
}

/** The bytes of an object as text, straight from storage; null when missing. */
export async function storedText(
  connector: FennFlowConnector,
  namespace: string,
  key: string,
): Promise<string | null> {
  if (!(await connector.headObject(namespace, key))) return null;
  const object = await connector.getObject(namespace, key);
  const chunks: Buffer[] = [];
  for await (const chunk of object.body)
    chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** Simulates a crashed process: the unit of work's lease stops being renewed. */
export function stopLeaseRenewal(unitOfWork: UnitOfWork): void {
  (
    sessionOf(unitOfWork) as unknown as { lease: { stop(): void } }
  ).lease.stop();
}
