/** Opens (and so migrates) the SQLite file named in argv, then exits: for the migration race. */
import { SqliteBackend } from '../../../../lib/backends/sqlite/sqlite.backend';

async function main(): Promise<void> {
  const backend = new SqliteBackend({ filename: String(process.argv[2]) });
  await backend.open();
  await backend.createSession({
    id: `opened-by-${process.pid}`,
    state: 'open',
    leaseExpiresAt: new Date(),
    createdAt: new Date(),
  });
  await backend.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
