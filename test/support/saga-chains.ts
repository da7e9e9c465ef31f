import type { FixtureSource } from './connector-fixtures';
import type { Fixture } from './in-memory-fixture';
import {
  assertConsistent,
  assertObjects,
  describeState,
  runOp,
  snapshot,
} from './saga-harness';
import { keyOf } from './saga-model';
import type { Op } from './saga-model';

const put = (path: string, body: string): Op => ({
  kind: 'put',
  ns: 'docs',
  files: [{ path, body }],
});
const create = (path: string, body: string): Op => ({
  kind: 'create',
  ns: 'docs',
  files: [{ path, body }],
});
const del = (path: string): Op => ({
  kind: 'delete',
  ns: 'docs',
  paths: [path],
});
const move = (from: string, to: string): Op => ({
  kind: 'move',
  ns: 'docs',
  from,
  to,
});
const copy = (from: string, to: string): Op => ({
  kind: 'copy',
  ns: 'docs',
  from,
  to,
});

/**
 * Seeds `initial` (docs paths → text) in a committed unit of work, runs `ops` in a second one
 * and ends it; returns the state before and after, checking consistency and that storage holds
 * exactly the expected objects (no backup left).
 */
async function chain(
  source: FixtureSource,
  initial: Record<string, string>,
  ops: Op[],
  ending: 'commit' | 'rollback',
  expected: Record<string, string>,
): Promise<void> {
  await withFixture(source, (fixture) =>
    chainOn(fixture, initial, ops, ending, expected),
  );
}

async function withFixture(
  source: FixtureSource,
  body: (fixture: Fixture) => Promise<void>,
): Promise<void> {
  const fixture = await source.fixture();
  try {
    await body(fixture);
  } finally {
    await fixture.dispose();
  }
}

async function chainOn(
  fixture: Fixture,
  initial: Record<string, string>,
  ops: Op[],
  ending: 'commit' | 'rollback',
  expected: Record<string, string>,
): Promise<void> {
  if (Object.keys(initial).length > 0) {
    await fixture.factory.run(async (uow) => {
      for (const [path, body] of Object.entries(initial))
        await runOp(uow, create(path, body));
    });
  }
  const uow = await fixture.factory.begin();
  for (const op of ops) await runOp(uow, op);
  await uow[ending]();
  await uow.close();

  const after = await snapshot(fixture);
  const want = new Map(
    Object.entries(expected).map(([path, body]) => [keyOf('docs', path), body]),
  );
  expect(describeState(after.visible)).toBe(describeState(want));
  assertConsistent(after);
  assertObjects(after.objects, want, new Set(), ending);
}

/** The per-path chain examples (SPEC §5.5) on one kind of connector. */
export function describeSagaChains(source: FixtureSource): void {
  describe(`per-path chains on ${source.name} roll back to exactly the state before the session`, () => {
    const seed = { 'a.txt': 'A0', 'b.txt': 'B0' };

    it('create → delete', async () => {
      const ops = [create('dir/a.txt', 'N1'), del('dir/a.txt')];
      await chain(source, seed, ops, 'rollback', seed);
      await chain(source, seed, ops, 'commit', seed);
    });

    it('put → put → delete on a committed file', async () => {
      const ops = [put('a.txt', 'A1'), put('a.txt', 'A2'), del('a.txt')];
      await chain(source, seed, ops, 'rollback', seed);
      await chain(source, seed, ops, 'commit', { 'b.txt': 'B0' });
    });

    it('put → put → delete on a new file', async () => {
      const ops = [
        put('dir/a.txt', 'N1'),
        put('dir/a.txt', 'N2'),
        del('dir/a.txt'),
      ];
      await chain(source, seed, ops, 'rollback', seed);
      await chain(source, seed, ops, 'commit', seed);
    });

    it('delete → create on a committed file', async () => {
      const ops = [del('a.txt'), create('a.txt', 'A1')];
      await chain(source, seed, ops, 'rollback', seed);
      await chain(source, seed, ops, 'commit', { ...seed, 'a.txt': 'A1' });
    });

    it('delete → create → delete → put on a committed file', async () => {
      const ops = [
        del('a.txt'),
        create('a.txt', 'A1'),
        del('a.txt'),
        put('a.txt', 'A2'),
      ];
      await chain(source, seed, ops, 'rollback', seed);
      await chain(source, seed, ops, 'commit', { ...seed, 'a.txt': 'A2' });
    });

    it('move A → B → C', async () => {
      const ops = [move('a.txt', 'dir/a.txt'), move('dir/a.txt', 'dir/b.txt')];
      await chain(source, seed, ops, 'rollback', seed);
      await chain(source, seed, ops, 'commit', {
        'b.txt': 'B0',
        'dir/b.txt': 'A0',
      });
    });

    it('move A → B → A (back onto its own source)', async () => {
      const ops = [move('a.txt', 'dir/a.txt'), move('dir/a.txt', 'a.txt')];
      await chain(source, seed, ops, 'rollback', seed);
      await chain(source, seed, ops, 'commit', seed);
    });

    it('copy onto an existing file', async () => {
      const ops = [copy('b.txt', 'a.txt')];
      await chain(source, seed, ops, 'rollback', seed);
      await chain(source, seed, ops, 'commit', {
        'a.txt': 'B0',
        'b.txt': 'B0',
      });
    });

    it('copy across namespaces onto an existing file, then put the source', async () => {
      await withFixture(source, async (fixture) => {
        await fixture.factory.run(async (uow) => {
          await runOp(uow, create('a.txt', 'A0'));
          await runOp(uow, {
            kind: 'create',
            ns: 'media',
            files: [{ path: 'a.txt', body: 'M0' }],
          });
        });
        const before = await snapshot(fixture);
        const uow = await fixture.factory.begin();
        await runOp(uow, {
          kind: 'copy',
          ns: 'docs',
          from: 'a.txt',
          to: 'a.txt',
          toNamespace: 'media',
        });
        await runOp(uow, put('a.txt', 'A1'));
        await uow.rollback();
        await uow.close();
        const after = await snapshot(fixture);
        expect(describeState(after.visible)).toBe(
          describeState(before.visible),
        );
        assertConsistent(after);
        assertObjects(
          after.objects,
          new Map([...before.objects].map(([k, o]) => [k, o.text])),
          new Set(),
          'rollback',
        );
      });
    });
  });
}
