import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';

export const TEST_DATABASE_URL =
  process.env.FENNFLOW_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other run uses; each test file works in its own and drops it afterwards. */
export function randomSchemaName(label: string): string {
  return `fennflow_test_${label}_${randomBytes(6).toString('hex')}`;
}

export async function dropSchemas(schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  try {
    for (const schema of schemas)
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pool.end();
  }
}
