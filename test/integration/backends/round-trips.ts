import { randomUUID } from 'node:crypto';
import type { FennFlowBackend } from '../../../lib';
import {
  at,
  journalEntry,
  keyOf,
  pendingRecord,
  sessionRecord,
} from './support/backend-fixtures';

export type CountingBackend = FennFlowBackend & { readonly queryCount: number };

/** Queries one call costs, measured with the backend's own counter. */
async function cost(
  backend: CountingBackend,
  call: () => Promise<unknown>,
): Promise<number> {
  const before = backend.queryCount;
  await call();
  return backend.queryCount - before;
}

async function stageFiles(
  backend: CountingBackend,
  session: string,
  n: number,
) {
  const records = Array.from({ length: n }, (_, i) =>
    pendingRecord(session, { path: `bulk/${session}/${i}` }),
  );
  return cost(backend, () =>
    backend.stage(records.map(keyOf), () => ({
      records,
      journal: records.map((r, seq) =>
        journalEntry({ sessionId: session, seq, path: r.path }),
      ),
      result: undefined,
    })),
  );
}

/** SPEC §6: staging and commit cost a fixed number of round trips, whatever the file count. */
export function describeRoundTripBounds(
  name: string,
  makeBackend: (scope: string) => Promise<CountingBackend>,
): void {
  describe(`${name} backend round trips`, () => {
    let backend: CountingBackend;

    beforeEach(async () => {
      backend = await makeBackend(`round-trips-${randomUUID()}`);
    });
    afterEach(() => backend.close());

    it('costs the same for 1 and 1000 files in stage, updatePending, commit and rollback', async () => {
      const measured: Record<string, number[]> = {};
      for (const n of [1, 1000]) {
        const session = `s${n}`;
        await backend.createSession(sessionRecord(session, at(60_000)));
        const staged = await stageFiles(backend, session, n);
        const updated = await cost(backend, () =>
          backend.updatePending(
            session,
            Array.from({ length: n }, (_, i) => ({
              namespace: 'files',
              path: `bulk/${session}/${i}`,
              size: i,
              etag: `e${i}`,
            })),
          ),
        );
        const read = await cost(backend, () =>
          backend.getRecords(
            Array.from({ length: n }, (_, i) => ({
              namespace: 'files',
              path: `bulk/${session}/${i}`,
            })),
          ),
        );
        const committed = await cost(backend, () =>
          backend.commitSession(session, at(1)),
        );
        const completed = await cost(backend, () =>
          backend.completeCommit(session),
        );

        const rollbackSession = `r${n}`;
        await backend.createSession(sessionRecord(rollbackSession, at(60_000)));
        await stageFiles(backend, rollbackSession, n);
        const journal = await backend.getJournal(rollbackSession);
        expect(journal).toHaveLength(n);
        const rolledBack = await cost(backend, () =>
          backend.applyRollback(rollbackSession, {
            records: journal.map((e) => ({
              ...pendingRecord(rollbackSession, { path: e.path }),
              status: 'failed' as const,
              lockedBy: null,
            })),
            settledOperationIds: journal.map((e) => e.operationId),
            failedSteps: [],
          }),
        );
        measured[n] = [staged, updated, read, committed, completed, rolledBack];

        const rows = await backend.getRecords(
          Array.from({ length: n }, (_, i) => ({
            namespace: 'files',
            path: `bulk/${session}/${i}`,
          })),
        );
        expect([...rows.values()].every((r) => r.status === 'uploaded')).toBe(
          true,
        );
        expect(rows.get(`files\u0000bulk/${session}/${n - 1}`)?.size).toBe(
          n - 1,
        );
      }
      expect(measured[1000]).toEqual(measured[1]);
      expect(Math.max(...measured[1])).toBeLessThanOrEqual(5);
    });
  });
}
