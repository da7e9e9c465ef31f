import { Pool } from 'pg';
import { PostgresBackend, PostgresBackendConfig } from '../../../lib';
import { describeBackendConformance } from './backend-conformance';
import { describeRoundTripBounds } from './round-trips';
import { describeSagaSmoke } from './saga-smoke';
import { fileRecord, seed } from './support/backend-fixtures';
import {
  dropSchemas,
  randomSchemaName,
  TEST_DATABASE_URL,
} from './support/postgres-test-schema';

const schema = randomSchemaName('backend');
const created: string[] = [schema];
afterAll(() => dropSchemas(created));

const makeBackend = async (scope: string) => {
  const backend = (await new PostgresBackendConfig({
    connectionString: TEST_DATABASE_URL,
    schema,
    scope,
  }).create()) as PostgresBackend;
  await backend.open();
  return backend;
};

describeBackendConformance('postgres', makeBackend);
describeSagaSmoke('postgres', makeBackend);
describeRoundTripBounds('postgres', makeBackend);

describe('postgres backend schema and pools', () => {
  let admin: Pool;
  beforeAll(() => {
    admin = new Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
  });
  afterAll(() => admin.end());

  it('migrates a fresh schema once when several backends start at the same moment', async () => {
    const fresh = randomSchemaName('migrate');
    created.push(fresh);
    const backends = Array.from(
      { length: 4 },
      () =>
        new PostgresBackend({
          connectionString: TEST_DATABASE_URL,
          schema: fresh,
          table: 'files_meta',
        }),
    );
    await Promise.all(backends.map((b) => b.open()));
    await Promise.all(backends.map((b) => b.close()));

    const versions = await admin.query(
      `SELECT version FROM "${fresh}".files_meta_schema_version`,
    );
    expect(versions.rows).toEqual([{ version: 1 }]);
    const tables = await admin.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
      [fresh],
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'files_meta',
      'files_meta_journal',
      'files_meta_schema_version',
      'files_meta_sessions',
    ]);
  });

  it('uses a pool it was given without ending it, and ends the pool it created', async () => {
    const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
    const borrowed = new PostgresBackend({ pool, schema, scope: 'pooled' });
    await borrowed.open();
    await seed(borrowed, [fileRecord({ path: 'a' })]);
    await borrowed.close();
    await expect(borrowed.isEmpty()).rejects.toMatchObject({
      code: 'E_FENNFLOW_BACKEND',
    });
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await pool.end();

    const owned = new PostgresBackend({
      connectionString: TEST_DATABASE_URL,
      schema,
      scope: 'pooled',
    });
    await owned.open();
    expect(await owned.isEmpty()).toBe(false);
    await owned.close();
    await expect(owned.isEmpty()).rejects.toMatchObject({
      code: 'E_FENNFLOW_BACKEND',
    });
  });

  it('separates tables named by `table` in one schema', async () => {
    const a = new PostgresBackend({
      connectionString: TEST_DATABASE_URL,
      schema,
      table: 'tenant_a',
    });
    const b = new PostgresBackend({
      connectionString: TEST_DATABASE_URL,
      schema,
      table: 'tenant_b',
    });
    await Promise.all([a.open(), b.open()]);
    await seed(a, [fileRecord({ path: 'only-in-a' })]);
    expect(await b.isEmpty()).toBe(true);
    expect(await a.isEmpty()).toBe(false);
    await Promise.all([a.close(), b.close()]);
  });

  it('rejects schema and table names that are not plain identifiers', () => {
    expect(
      () =>
        new PostgresBackend({
          connectionString: TEST_DATABASE_URL,
          schema: 'x"; DROP',
        }),
    ).toThrow(expect.objectContaining({ code: 'E_FENNFLOW_CONFIGURATION' }));
    expect(
      () =>
        new PostgresBackend({
          connectionString: TEST_DATABASE_URL,
          table: 'a-b',
        }),
    ).toThrow(expect.objectContaining({ code: 'E_FENNFLOW_CONFIGURATION' }));
  });

  it('reports a database it cannot reach as a BackendError', async () => {
    const backend = new PostgresBackend({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
    });
    await expect(backend.open()).rejects.toMatchObject({
      code: 'E_FENNFLOW_BACKEND',
    });
    await backend.close();
  });
});
