import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteBackend, SqliteBackendConfig } from '../../../lib';
import { describeBackendConformance } from './backend-conformance';
import { describeRoundTripBounds } from './round-trips';
import { describeSagaSmoke } from './saga-smoke';

const dir = mkdtempSync(join(tmpdir(), 'fennflow-sqlite-'));
const filename = join(dir, 'metadata.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const makeBackend = async (scope: string) => {
  const backend = (await new SqliteBackendConfig({
    filename,
    scope,
  }).create()) as SqliteBackend;
  await backend.open();
  return backend;
};

describeBackendConformance('sqlite', makeBackend);
describeSagaSmoke('sqlite', makeBackend);
describeRoundTripBounds('sqlite', makeBackend);

describe('sqlite backend schema', () => {
  it('creates the schema once, at version 1, for backends opening one fresh file', async () => {
    const fresh = join(dir, 'fresh.db');
    const backends = [
      new SqliteBackend({ filename: fresh }),
      new SqliteBackend({ filename: fresh, scope: 'other' }),
    ];
    await Promise.all(backends.map((b) => b.open()));
    await Promise.all(backends.map((b) => b.close()));
    // Reopening finds nothing to migrate.
    const again = new SqliteBackend({ filename: fresh });
    await again.open();
    await again.close();

    const db = new Database(fresh, { readonly: true });
    try {
      expect(
        db.prepare('SELECT version FROM fennflow_schema_version').all(),
      ).toEqual([{ version: 1 }]);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('lets several processes open one fresh file at once; the schema is created once', async () => {
    const fresh = join(dir, 'multi-process.db');
    const children = [0, 1, 2].map(() =>
      fork(join(__dirname, 'support', 'sqlite-open-child.ts'), [fresh], {
        execArgv: ['-r', 'ts-node/register/transpile-only'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const codes = await Promise.all(
      children.map(async (child) => (await once(child, 'exit'))[0]),
    );
    expect(codes).toEqual([0, 0, 0]);

    const db = new Database(fresh, { readonly: true });
    try {
      expect(
        db.prepare('SELECT version FROM fennflow_schema_version').all(),
      ).toEqual([{ version: 1 }]);
      expect(
        db.prepare('SELECT count(*) AS n FROM fennflow_sessions').get(),
      ).toEqual({ n: 3 });
    } finally {
      db.close();
    }
  }, 30_000);

  it('keeps what was written across a close and reopen', async () => {
    const first = await makeBackend('durable');
    await first.createSession({
      id: 's',
      state: 'open',
      leaseExpiresAt: new Date(1),
      createdAt: new Date(0),
    });
    await first.close();
    const second = await makeBackend('durable');
    expect(await second.getSession('s')).not.toBeNull();
    await second.close();
  });

  it('fails clearly when used before open()', async () => {
    const backend = new SqliteBackend({ filename });
    await expect(backend.isEmpty()).rejects.toMatchObject({
      code: 'E_FENNFLOW_BACKEND',
    });
  });
});
