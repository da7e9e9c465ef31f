import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  InMemoryBackend,
  InMemoryConnector,
  Propagation,
  RecordLockedError,
  TextContent,
  UnitOfWorkAlreadyActiveError,
  UnitOfWorkFactory,
  UnitOfWorkHost,
  UnitOfWorkNotActiveError,
} from 'fennflow-nestjs';
import { silentLogger } from 'fennflow-nestjs';
import { storedKeys, TestUnitOfWork } from '../../support/in-memory-fixture';

/** Counts the rollbacks that reach a unit of work, so a test can see who rolled back. */
class CountingUnitOfWork extends TestUnitOfWork {
  rollbacks = 0;

  override rollback(): Promise<void> {
    this.rollbacks += 1;
    return super.rollback();
  }
}

const text = (body: string, filename: string) =>
  TextContent.from(body, { filename });

function setup() {
  const scope = `host-${randomUUID()}`;
  const storage = new InMemoryConnector(scope);
  const factory = new UnitOfWorkFactory({
    backend: new InMemoryBackend(scope),
    connector: storage,
    unitOfWork: CountingUnitOfWork,
    logger: silentLogger,
  });
  return { storage, factory, host: factory.host };
}

describe('UnitOfWorkHost', () => {
  it('is one per factory, and can be built by hand in plain Node', () => {
    const { factory, host } = setup();
    expect(factory.host).toBe(host);
    expect(new UnitOfWorkHost(factory).factory).toBe(factory);
  });

  it('current throws UnitOfWorkNotActiveError outside a run; isActive is false', async () => {
    const { host } = setup();
    expect(host.isActive).toBe(false);
    expect(() => host.current).toThrow(UnitOfWorkNotActiveError);
    try {
      void host.current;
    } catch (error) {
      expect((error as UnitOfWorkNotActiveError).code).toBe(
        'E_FENNFLOW_UNIT_OF_WORK_NOT_ACTIVE',
      );
    }
    await host.run(async () => undefined);
    expect(host.isActive).toBe(false);
  });

  describe('Required (default)', () => {
    it('opens a unit of work, passes it to fn and as current, commits it, returns the result', async () => {
      const { host, storage } = setup();
      const result = await host.run(async (uow) => {
        expect(host.current).toBe(uow);
        expect(host.isActive).toBe(true);
        await host.current.docs.create(text('a', 'a.txt'));
        return 7;
      });
      expect(result).toBe(7);
      expect(await storedKeys(storage, 'docs')).toEqual(['a.txt']);
    });

    it('nested runs join the active unit of work: one id, one commit', async () => {
      const { host, storage, factory } = setup();
      const ids: string[] = [];
      await host.run(async (outer) => {
        ids.push(outer.id);
        await host.run(async (inner) => {
          ids.push(inner.id);
          await inner.docs.create(text('1', 'one.txt'));
          await host.run(Propagation.Required, async (deepest) => {
            ids.push(deepest.id);
            await deepest.media.create(text('2', 'two.txt'));
          });
        });
        expect(factory.openCount).toBe(1);
        // Joined runs do not commit: another unit of work sees nothing yet.
        await factory.run(async (other) =>
          expect((await other.docs.list()).paths).toEqual([]),
        );
      });
      expect(new Set(ids).size).toBe(1);
      expect(await storedKeys(storage, 'docs')).toEqual(['one.txt']);
      expect(await storedKeys(storage, 'media')).toEqual(['two.txt']);
    });

    it('an error thrown through joined levels is rethrown unchanged and rolls back once, at the owner', async () => {
      const { host, storage } = setup();
      const failure = new Error('second service failed');
      let owner: CountingUnitOfWork | undefined;
      await expect(
        host.run(async (uow) => {
          owner = uow;
          await host.run(async (joined) =>
            joined.docs.create(text('1', 'one.txt')),
          );
          await host.run(async () =>
            host.run(Propagation.Mandatory, async (joined) => {
              await joined.media.create(text('2', 'two.txt'));
              throw failure;
            }),
          );
        }),
      ).rejects.toBe(failure);
      expect(owner?.rollbacks).toBe(1);
      expect(await storedKeys(storage, 'docs')).toEqual([]);
      expect(await storedKeys(storage, 'media')).toEqual([]);
    });

    it('an inner error the outer run catches does not roll back the outer work', async () => {
      const { host, storage } = setup();
      await host.run(async (uow) => {
        await uow.docs.create(text('1', 'one.txt'));
        await host
          .run(async (joined) => {
            await joined.docs.create(text('2', 'two.txt'));
            throw new Error('caught below');
          })
          .catch(() => undefined);
        expect(uow.rollbacks).toBe(0);
      });
      expect(await storedKeys(storage, 'docs')).toEqual(['one.txt', 'two.txt']);
    });
  });

  describe('RequiresNew', () => {
    it('opens an independent unit of work that commits although the outer one rolls back', async () => {
      const { host, storage } = setup();
      let innerId = '';
      await expect(
        host.run(async (outer) => {
          await outer.docs.create(text('outer', 'outer.txt'));
          await host.run(Propagation.RequiresNew, async (inner) => {
            innerId = inner.id;
            expect(inner.id).not.toBe(outer.id);
            expect(host.current).toBe(inner);
            await inner.media.create(text('inner', 'inner.txt'));
          });
          expect(host.current).toBe(outer);
          expect(innerId).not.toBe(outer.id);
          throw new Error('outer fails');
        }),
      ).rejects.toThrow('outer fails');
      expect(await storedKeys(storage, 'docs')).toEqual([]);
      expect(await storedKeys(storage, 'media')).toEqual(['inner.txt']);
    });

    it('rolls back on its own while the outer one commits', async () => {
      const { host, storage } = setup();
      await host.run(async (outer) => {
        await outer.docs.create(text('outer', 'outer.txt'));
        await expect(
          host.run(Propagation.RequiresNew, async (inner) => {
            await inner.media.create(text('inner', 'inner.txt'));
            throw new Error('inner fails');
          }),
        ).rejects.toThrow('inner fails');
        expect(outer.rollbacks).toBe(0);
      });
      expect(await storedKeys(storage, 'docs')).toEqual(['outer.txt']);
      expect(await storedKeys(storage, 'media')).toEqual([]);
    });

    it('is a separate session: a path the outer one has pending work on is locked to it', async () => {
      const { host } = setup();
      await host.run(async (outer) => {
        await outer.docs.create(text('outer', 'a.txt'));
        await expect(
          host.run(Propagation.RequiresNew, async (inner) =>
            inner.docs.put(text('inner', 'a.txt')),
          ),
        ).rejects.toBeInstanceOf(RecordLockedError);
      });
    });

    it('opens one when nothing is active', async () => {
      const { host, storage } = setup();
      await host.run(Propagation.RequiresNew, async (uow) =>
        uow.docs.create(text('a', 'a.txt')),
      );
      expect(await storedKeys(storage, 'docs')).toEqual(['a.txt']);
    });
  });

  describe('Mandatory', () => {
    it('joins the active unit of work', async () => {
      const { host } = setup();
      await host.run(async (outer) => {
        await host.run(Propagation.Mandatory, async (joined) =>
          expect(joined).toBe(outer),
        );
      });
    });

    it('throws UnitOfWorkNotActiveError when none is active, and opens nothing', async () => {
      const { host, factory } = setup();
      let called = false;
      await expect(
        host.run(Propagation.Mandatory, async () => {
          called = true;
        }),
      ).rejects.toBeInstanceOf(UnitOfWorkNotActiveError);
      expect(called).toBe(false);
      expect(factory.openCount).toBe(0);
    });
  });

  describe('Never', () => {
    it('runs without a unit of work when none is active', async () => {
      const { host, factory } = setup();
      const result = await host.run(Propagation.Never, async (uow) => {
        expect(uow).toBeUndefined();
        expect(host.isActive).toBe(false);
        return 'ran';
      });
      expect(result).toBe('ran');
      expect(factory.openCount).toBe(0);
    });

    it('throws UnitOfWorkAlreadyActiveError when one is active', async () => {
      const { host } = setup();
      await host.run(async () => {
        const attempt = host.run(Propagation.Never, async () => 'ran');
        await expect(attempt).rejects.toBeInstanceOf(
          UnitOfWorkAlreadyActiveError,
        );
        await expect(attempt).rejects.toMatchObject({
          code: 'E_FENNFLOW_UNIT_OF_WORK_ALREADY_ACTIVE',
        });
      });
    });
  });

  describe('NotSupported', () => {
    it('suspends the active unit of work while fn runs, and restores it after', async () => {
      const { host, storage } = setup();
      await host
        .run(async (outer) => {
          await outer.docs.create(text('outer', 'outer.txt'));
          await host.run(Propagation.NotSupported, async (uow) => {
            expect(uow).toBeUndefined();
            expect(host.isActive).toBe(false);
            expect(() => host.current).toThrow(UnitOfWorkNotActiveError);
            // Required inside it opens a unit of work of its own, committed at once.
            await host.run(async (own) => {
              expect(own.id).not.toBe(outer.id);
              await own.media.create(text('own', 'own.txt'));
            });
          });
          expect(host.current).toBe(outer);
          throw new Error('outer fails');
        })
        .catch(() => undefined);
      expect(await storedKeys(storage, 'docs')).toEqual([]);
      expect(await storedKeys(storage, 'media')).toEqual(['own.txt']);
    });

    it('runs without a unit of work when none is active', async () => {
      const { host, factory } = setup();
      await host.run(Propagation.NotSupported, async (uow) =>
        expect(uow).toBeUndefined(),
      );
      expect(factory.openCount).toBe(0);
    });
  });

  describe('Supports', () => {
    it('joins the active unit of work', async () => {
      const { host } = setup();
      await host.run(async (outer) => {
        await host.run(Propagation.Supports, async (joined) =>
          expect(joined).toBe(outer),
        );
      });
    });

    it('runs without one when none is active', async () => {
      const { host, factory } = setup();
      await host.run(Propagation.Supports, async (uow) => {
        expect(uow).toBeUndefined();
        expect(host.isActive).toBe(false);
      });
      expect(factory.openCount).toBe(0);
    });
  });

  it('concurrent runs in parallel async contexts never see each other’s unit of work', async () => {
    const { host, storage } = setup();
    const runs = Array.from({ length: 20 }, (_, i) =>
      host.run(async (uow) => {
        const seen: string[] = [uow.id];
        for (let step = 0; step < 3; step += 1) {
          await sleep((i * 7 + step * 3) % 5);
          seen.push(host.current.id);
          await host.run(async (joined) => seen.push(joined.id));
        }
        await host.current.docs.create(text(String(i), `${i}.txt`));
        return seen;
      }),
    );
    const results = await Promise.all(runs);
    for (const seen of results) expect(new Set(seen).size).toBe(1);
    expect(new Set(results.map((seen) => seen[0])).size).toBe(20);
    expect(await storedKeys(storage, 'docs')).toHaveLength(20);
    expect(host.isActive).toBe(false);
  });

  it('a failing run in parallel with a succeeding one rolls back only its own work', async () => {
    const { host, storage } = setup();
    const [ok, failed] = await Promise.allSettled([
      host.run(async () => {
        await sleep(5);
        await host.current.docs.create(text('ok', 'ok.txt'));
      }),
      host.run(async () => {
        await host.current.docs.create(text('bad', 'bad.txt'));
        await sleep(2);
        throw new Error('fails');
      }),
    ]);
    expect(ok.status).toBe('fulfilled');
    expect(failed.status).toBe('rejected');
    expect(await storedKeys(storage, 'docs')).toEqual(['ok.txt']);
  });
});
