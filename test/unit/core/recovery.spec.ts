import { randomUUID } from 'node:crypto';
import {
  InMemoryBackend,
  InMemoryConnector,
  TextContent,
  UnitOfWorkFactory,
} from 'fennflow-nestjs';
import { silentLogger } from 'fennflow-nestjs';
import {
  inMemoryFixture,
  stopLeaseRenewal,
  storedKeys,
  storedText,
  TestUnitOfWork,
} from '../../support/in-memory-fixture';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<void>(() => {});

/** A process that "dies" on demand: its lease stops renewing and its backup removal never returns. */
class DyingBackend extends InMemoryBackend {
  dead = false;
  override renewLease(id: string, until: Date): Promise<void> {
    return this.dead ? never() : super.renewLease(id, until);
  }
}

class DyingConnector extends InMemoryConnector {
  dead = false;
  reachedBackupRemoval = false;
  override deleteObjects(
    namespace: string,
    keys: readonly string[],
  ): Promise<void> {
    if (this.dead && keys.some((k) => k.startsWith('fennflow/tmp/'))) {
      this.reachedBackupRemoval = true;
      return never();
    }
    return super.deleteObjects(namespace, keys);
  }
}

describe('recovery of a process that died in the middle of a rollback', () => {
  it('leaves the file restored and no backup behind, whichever step the process died in', async () => {
    const scope = `dying-${randomUUID()}`;
    const backend = new DyingBackend(scope);
    const connector = new DyingConnector(scope);
    const options = {
      unitOfWork: TestUnitOfWork,
      logger: silentLogger,
      leaseMs: 100,
    };
    const dying = new UnitOfWorkFactory({ backend, connector, ...options });
    const survivor = new UnitOfWorkFactory({
      backend: new InMemoryBackend(scope),
      connector: new InMemoryConnector(scope),
      ...options,
    });
    await dying.run((uow) =>
      uow.docs.create(TextContent.from('v1', { filename: 'a.txt' })),
    );

    const uow = await dying.begin();
    await uow.docs.put(TextContent.from('v2', { filename: 'a.txt' }));
    backend.dead = connector.dead = true;
    void uow.rollback();
    while (!connector.reachedBackupRemoval) await sleep(5);
    await sleep(150);

    expect(await survivor.recoverExpired()).toEqual(['rolled-back']);
    const storage = new InMemoryConnector(scope);
    expect(await storedKeys(storage, 'docs')).toEqual(['a.txt']);
    expect(await storedText(storage, 'docs', 'a.txt')).toBe('v1');
    await survivor.run(async (check) => {
      expect(await (await check.docs.get('a.txt')).at(0)?.content.text()).toBe(
        'v1',
      );
    });
  });

  it('aborts the interrupted uploads of exactly the keys the dead session was writing', async () => {
    const fixture = inMemoryFixture({ leaseMs: 40 });
    await fixture.factory.run((uow) =>
      uow.docs.create(TextContent.from('x', { filename: 'kept.txt' })),
    );
    const dead = await fixture.factory.begin();
    await dead.docs.put(TextContent.from('a', { filename: 'a.txt' }));
    await dead.media.create(TextContent.from('b', { filename: 'b.txt' }));
    await dead.docs.delete('kept.txt');
    stopLeaseRenewal(dead);
    await sleep(80);
    fixture.connector.resetCalls();
    expect(await fixture.factory.recoverExpired()).toEqual(['rolled-back']);
    const aborted = fixture.connector
      .callsOf('removeAbandonedUploads')
      .map((c) => `${c.namespace}/${c.keys[0]}`);
    expect(aborted.sort()).toEqual(['docs/a.txt', 'media/b.txt']);
  });

  it('a commit whose cleanup cannot be recorded still commits, and recovery rolls it forward', async () => {
    const scope = `cleanup-${randomUUID()}`;
    class FlakyCompleteBackend extends InMemoryBackend {
      failNext = false;
      override async completeCommit(sessionId: string): Promise<void> {
        if (this.failNext) {
          this.failNext = false;
          throw new Error('connection reset');
        }
        return super.completeCommit(sessionId);
      }
    }
    const backend = new FlakyCompleteBackend(scope);
    const factory = new UnitOfWorkFactory({
      backend,
      connector: new InMemoryConnector(scope),
      unitOfWork: TestUnitOfWork,
      logger: silentLogger,
      leaseMs: 100,
    });
    await factory.run((uow) =>
      uow.docs.create(
        TextContent.from('keep', { filename: 'a.txt' }),
        TextContent.from('gone', { filename: 'b.txt' }),
      ),
    );
    backend.failNext = true;
    await factory.run(async (uow) => {
      await uow.docs.put(TextContent.from('v2', { filename: 'a.txt' }));
      await uow.docs.delete('b.txt');
    });
    // Committed for everyone at once, although the deleted path is still held for its cleanup.
    await factory.run(async (uow) => {
      expect((await uow.docs.list()).paths).toEqual(['a.txt']);
      expect(await (await uow.docs.get('a.txt')).at(0)?.content.text()).toBe(
        'v2',
      );
    });
    expect(await factory.recoverExpired()).toEqual(['committed']);
    const storage = new InMemoryConnector(scope);
    expect(await storedKeys(storage, 'docs')).toEqual(['a.txt']);
    expect(await storedText(storage, 'docs', 'a.txt')).toBe('v2');
    await factory.run((uow) =>
      uow.docs.create(TextContent.from('again', { filename: 'b.txt' })),
    );
  });
});
