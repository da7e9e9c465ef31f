import { randomUUID } from 'node:crypto';
import {
  Create,
  defineRepository,
  Delete,
  FennFlowBackend,
  Get,
  InMemoryConnector,
  List,
  Put,
  TextContent,
  UnitOfWork,
  UnitOfWorkFactory,
} from '../../../lib';
import { quietLogger } from './support/backend-fixtures';

const Files = defineRepository(Create, Put, Get, List, Delete);

class SmokeUnitOfWork extends UnitOfWork {
  readonly files = this.repository(Files, { namespace: 'smoke-files' });
}

const text = (body: string, filename: string) =>
  TextContent.from(body, { filename });

/** The real core on top of a backend: commit, rollback, and a lock between two units of work. */
export function describeSagaSmoke(
  name: string,
  makeBackend: (scope: string) => Promise<FennFlowBackend>,
): void {
  describe(`${name} backend under the saga`, () => {
    let backend: FennFlowBackend;
    let store: string;
    let factory: UnitOfWorkFactory<SmokeUnitOfWork>;

    beforeEach(async () => {
      const scope = `smoke-${randomUUID()}`;
      store = scope;
      backend = await makeBackend(scope);
      factory = new UnitOfWorkFactory({
        backend,
        connector: new InMemoryConnector(store),
        unitOfWork: SmokeUnitOfWork,
        logger: quietLogger,
      });
    });

    afterEach(async () => {
      await factory.shutdown(1000);
      await backend.close();
      InMemoryConnector.reset(store);
    });

    const read = (path: string) =>
      factory.run(async (uow) => {
        const found = await uow.files.get(path);
        return found.isEmpty ? null : await found.at(0)!.content.text();
      });
    const list = () =>
      factory.run(async (uow) => (await uow.files.list()).paths);

    it('commits: the file is visible to the next unit of work', async () => {
      await factory.run(async (uow) => {
        await uow.files.create(
          text('hello', 'a.txt'),
          text('world', 'b/😀.txt'),
        );
      });
      expect(await read('a.txt')).toBe('hello');
      expect(await read('b/😀.txt')).toBe('world');
      expect(await list()).toEqual(['a.txt', 'b/😀.txt']);

      await factory.run(async (uow) => {
        await uow.files.put(text('hello again', 'a.txt'));
        await uow.files.delete('b/😀.txt');
      });
      expect(await read('a.txt')).toBe('hello again');
      expect(await list()).toEqual(['a.txt']);
    });

    it('rolls back: a failing unit of work leaves nothing and restores overwritten files', async () => {
      await factory.run(async (uow) => {
        await uow.files.create(text('v1', 'kept.txt'));
      });
      const failure = new Error('verification failed');
      await expect(
        factory.run(async (uow) => {
          await uow.files.create(text('new', 'new.txt'));
          await uow.files.put(text('v2', 'kept.txt'));
          await uow.files.delete('kept.txt');
          throw failure;
        }),
      ).rejects.toBe(failure);

      expect(await list()).toEqual(['kept.txt']);
      expect(await read('kept.txt')).toBe('v1');
      expect(await read('new.txt')).toBeNull();
      expect(
        await backend.findExpiredSessions(new Date(Date.now() + 3_600_000), 10),
      ).toEqual([]);
    });

    it('locks a path between two open units of work until the first commits', async () => {
      const first = await factory.begin();
      const second = await factory.begin();
      try {
        await first.files.create(text('first', 'contested.txt'));
        await expect(
          second.files.put(text('second', 'contested.txt')),
        ).rejects.toMatchObject({ code: 'E_FENNFLOW_RECORD_LOCKED' });
        expect(await read('contested.txt')).toBeNull();

        await first.commit();
        await second.files.put(text('second', 'contested.txt'));
        await second.commit();
        expect(await read('contested.txt')).toBe('second');
      } finally {
        await first.close();
        await second.close();
      }
    });
  });
}
