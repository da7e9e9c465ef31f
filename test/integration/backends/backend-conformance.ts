import { randomUUID } from 'node:crypto';
import {
  comparePaths,
  FennFlowBackend,
  FileRecord,
  isVisibleTo,
  RecordAlreadyExistsError,
  recordKeyOf,
  RecordLockedError,
  StagingSnapshot,
} from '../../../lib';
import {
  allVisible,
  at,
  fileRecord,
  journalEntry,
  keyOf,
  pendingRecord,
  seed,
  sessionRecord,
  T0,
} from './support/backend-fixtures';

/** Returns an opened backend of `scope`; two calls with one scope must share metadata. */
export type MakeBackend = (scope: string) => Promise<FennFlowBackend>;

/**
 * The contract every backend honours, checked against the behaviour of the in-memory
 * reference. Each test works in fresh scopes, so one database serves the whole suite.
 */
export function describeBackendConformance(
  name: string,
  makeBackend: MakeBackend,
): void {
  describe(`${name} backend conformance`, () => {
    const opened: FennFlowBackend[] = [];
    let scope: string;
    let backend: FennFlowBackend;

    const open = async (s: string = scope) => {
      const b = await makeBackend(s);
      opened.push(b);
      return b;
    };

    beforeEach(async () => {
      scope = `conformance-${randomUUID()}`;
      backend = await open();
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((b) => b.close()));
    });

    describe('sessions and leases', () => {
      it('creates, reads, renews and changes the state of a session', async () => {
        expect(await backend.getSession('s1')).toBeNull();
        await backend.createSession(sessionRecord('s1', at(1000)));
        expect(await backend.getSession('s1')).toEqual(
          sessionRecord('s1', at(1000)),
        );

        await backend.renewLease('s1', at(5000));
        await backend.setSessionState('s1', 'committing');
        const session = await backend.getSession('s1');
        expect(session).toEqual(
          sessionRecord('s1', at(5000), { state: 'committing' }),
        );
        expect(session?.leaseExpiresAt).toBeInstanceOf(Date);

        await backend.renewLease('unknown', at(1));
        await backend.setSessionState('unknown', 'open');
        expect(await backend.getSession('unknown')).toBeNull();
      });

      it('claims only a session whose lease ended, once', async () => {
        await backend.createSession(sessionRecord('alive', at(10_000)));
        await backend.createSession(sessionRecord('dead', at(-1)));

        expect(await backend.claimSession('alive', T0, at(60_000))).toBe(false);
        expect(await backend.claimSession('missing', T0, at(60_000))).toBe(
          false,
        );
        expect(await backend.claimSession('dead', T0, at(60_000))).toBe(true);
        expect((await backend.getSession('dead'))?.leaseExpiresAt).toEqual(
          at(60_000),
        );
        // Claimed: its lease is in the future now, so a second recoverer backs off.
        expect(await backend.claimSession('dead', T0, at(90_000))).toBe(false);
        // A lease ending exactly now has not ended before now.
        await backend.createSession(sessionRecord('edge', T0));
        expect(await backend.claimSession('edge', T0, at(1))).toBe(false);
      });

      it('finds expired sessions oldest first, up to the limit', async () => {
        await backend.createSession(sessionRecord('late', at(-10)));
        await backend.createSession(sessionRecord('alive', at(10)));
        await backend.createSession(sessionRecord('oldest', at(-300)));
        await backend.createSession(sessionRecord('middle', at(-200)));

        const ids = async (limit: number) =>
          (await backend.findExpiredSessions(T0, limit)).map((s) => s.id);
        expect(await ids(10)).toEqual(['oldest', 'middle', 'late']);
        expect(await ids(2)).toEqual(['oldest', 'middle']);
        expect(
          (await backend.findExpiredSessions(T0, 1))[0].leaseExpiresAt,
        ).toEqual(at(-300));
      });

      it('endSession removes the session and its journal and releases its locks', async () => {
        await backend.createSession(sessionRecord('s1', at(1000)));
        await backend.createSession(sessionRecord('s2', at(1000)));
        await seed(
          backend,
          [
            pendingRecord('s1', { path: 'a' }),
            fileRecord({ path: 'b', status: 'deleted', lockedBy: 's1' }),
            pendingRecord('s2', { path: 'c' }),
          ],
          [
            journalEntry({ sessionId: 's1', seq: 0, path: 'a' }),
            journalEntry({ sessionId: 's2', seq: 0, path: 'c' }),
          ],
        );

        await backend.endSession('s1');

        expect(await backend.getSession('s1')).toBeNull();
        expect(await backend.getJournal('s1')).toEqual([]);
        const rows = await backend.getRecords(
          ['a', 'b', 'c'].map((path) => ({ namespace: 'files', path })),
        );
        expect(
          rows.get(recordKeyOf({ namespace: 'files', path: 'a' })),
        ).toEqual({ ...pendingRecord('s1', { path: 'a' }), lockedBy: null });
        expect(
          rows.get(recordKeyOf({ namespace: 'files', path: 'b' }))?.lockedBy,
        ).toBeNull();
        expect(
          rows.get(recordKeyOf({ namespace: 'files', path: 'c' }))?.lockedBy,
        ).toBe('s2');
        expect(await backend.getSession('s2')).not.toBeNull();
        expect(await backend.getJournal('s2')).toHaveLength(1);
      });
    });

    describe('reads', () => {
      it('getRecords returns the rows that exist, keyed by recordKeyOf, exactly as written', async () => {
        const a = fileRecord({ path: 'dir/a.txt', size: 2 ** 40 });
        const other = fileRecord({ namespace: 'other-ns', path: 'dir/a.txt' });
        const bare = fileRecord({
          path: 'bare',
          size: null,
          mediaType: null,
          etag: null,
          metadata: {},
          error: 'rolled back',
          status: 'failed',
        });
        await seed(backend, [a, other, bare]);

        const rows = await backend.getRecords([
          keyOf(a),
          keyOf(other),
          keyOf(bare),
          { namespace: 'files', path: 'missing' },
        ]);
        expect([...rows.keys()].sort()).toEqual(
          [recordKeyOf(a), recordKeyOf(other), recordKeyOf(bare)].sort(),
        );
        expect(rows.get(recordKeyOf(a))).toEqual(a);
        expect(rows.get(recordKeyOf(other))).toEqual(other);
        expect(rows.get(recordKeyOf(bare))).toEqual(bare);
        expect(rows.get(recordKeyOf(a))?.createdAt).toBeInstanceOf(Date);
        expect(await backend.getRecords([])).toEqual(new Map());
      });

      it('lists by the visibility rule', async () => {
        await seed(backend, [
          fileRecord({ path: 'uploaded' }),
          fileRecord({ path: 'uploaded-locked-by-me', lockedBy: 'me' }),
          fileRecord({ path: 'uploaded-locked-by-other', lockedBy: 'other' }),
          pendingRecord('me', { path: 'my-pending-create' }),
          pendingRecord('me', { path: 'my-pending-put', operation: 'put' }),
          pendingRecord('me', { path: 'my-pending-copy', operation: 'copy' }),
          pendingRecord('me', { path: 'my-pending-move', operation: 'move' }),
          pendingRecord('me', {
            path: 'my-pending-delete',
            operation: 'delete',
          }),
          pendingRecord('other', { path: 'other-pending-create' }),
          fileRecord({ path: 'deleted', status: 'deleted' }),
          fileRecord({
            path: 'deleted-locked',
            status: 'deleted',
            lockedBy: 'me',
          }),
          fileRecord({ path: 'failed', status: 'failed' }),
          fileRecord({
            path: 'compensation-failed',
            status: 'compensation_failed',
            lockedBy: 'me',
          }),
        ]);

        expect(await allVisible(backend, 'me')).toEqual([
          'my-pending-copy',
          'my-pending-create',
          'my-pending-move',
          'my-pending-put',
          'uploaded',
          'uploaded-locked-by-me',
        ]);
        expect(await allVisible(backend, 'other')).toEqual([
          'other-pending-create',
          'uploaded',
          'uploaded-locked-by-other',
        ]);
        expect(await allVisible(backend, 'stranger')).toEqual(['uploaded']);
      });

      it('pages with `after` and `limit`', async () => {
        const paths = ['a', 'b', 'c', 'd', 'e'];
        await seed(
          backend,
          paths.map((path) => fileRecord({ path })),
        );
        const page = async (after: string | null) =>
          (
            await backend.listVisible({
              sessionId: 'me',
              namespace: 'files',
              prefix: '',
              after,
              limit: 2,
            })
          ).map((r) => r.path);
        expect(await page(null)).toEqual(['a', 'b']);
        expect(await page('b')).toEqual(['c', 'd']);
        expect(await page('d')).toEqual(['e']);
        expect(await page('e')).toEqual([]);
        expect(await page('bb')).toEqual(['c', 'd']);
      });

      it('treats %, _ and \\ in a prefix as plain characters', async () => {
        const paths = ['p%q', 'pxq', 'p_q', 'pyq', 'p\\q', 'p\\\\q', 'pzq'];
        await seed(
          backend,
          paths.map((path) => fileRecord({ path })),
        );
        expect(await allVisible(backend, 'me', 'p%')).toEqual(['p%q']);
        expect(await allVisible(backend, 'me', 'p_')).toEqual(['p_q']);
        expect(await allVisible(backend, 'me', 'p\\')).toEqual([
          'p\\\\q',
          'p\\q',
        ]);
        expect(await allVisible(backend, 'me', 'p\\\\')).toEqual(['p\\\\q']);
        expect(await allVisible(backend, 'me', 'p')).toHaveLength(paths.length);
      });

      it('matches a prefix as a plain string, not as a folder', async () => {
        await seed(
          backend,
          ['a', 'a/x', 'ab/x', 'b/a/x'].map((path) => fileRecord({ path })),
        );
        expect(await allVisible(backend, 'me', 'a')).toEqual([
          'a',
          'a/x',
          'ab/x',
        ]);
        expect(await allVisible(backend, 'me', 'a/')).toEqual(['a/x']);
        expect(await allVisible(backend, 'me', 'c')).toEqual([]);
      });

      it('orders by code point, astral characters included, also across pages', async () => {
        const paths = [
          'z',
          'é',
          '\uE000',
          '\uFFFD',
          '😀',
          'a',
          'A',
          '~',
          '😀/ü',
          'ü😀',
        ];
        await seed(
          backend,
          paths.map((path) => fileRecord({ path })),
        );
        const expected = [...paths].sort(comparePaths);
        // UTF-16 order puts the emoji before U+E000; code-point order puts it last.
        expect(expected).not.toEqual([...paths].sort());
        expect(await allVisible(backend, 'me')).toEqual(expected);

        const paged: string[] = [];
        let after: string | null = null;
        for (;;) {
          const rows: FileRecord[] = await backend.listVisible({
            sessionId: 'me',
            namespace: 'files',
            prefix: '',
            after,
            limit: 3,
          });
          if (rows.length === 0) break;
          paged.push(...rows.map((r) => r.path));
          after = rows[rows.length - 1].path;
        }
        expect(paged).toEqual(expected);
        expect(await allVisible(backend, 'me', '😀')).toEqual(['😀', '😀/ü']);
      });

      it('stores keys of 1024 bytes', async () => {
        const twoByte = `k/${'é'.repeat(511)}`;
        const astral = '😀'.repeat(256);
        expect(Buffer.byteLength(twoByte)).toBe(1024);
        expect(Buffer.byteLength(astral)).toBe(1024);
        await seed(backend, [
          fileRecord({ path: twoByte }),
          fileRecord({ path: astral }),
        ]);
        const rows = await backend.getRecords([
          { namespace: 'files', path: twoByte },
          { namespace: 'files', path: astral },
        ]);
        expect(rows.size).toBe(2);
        expect(await allVisible(backend, 'me')).toEqual(
          [twoByte, astral].sort(comparePaths),
        );
        expect(await allVisible(backend, 'me', 'k/é')).toEqual([twoByte]);
      });

      it('keeps namespaces apart', async () => {
        await seed(backend, [
          fileRecord({ path: 'x' }),
          fileRecord({ namespace: 'other-ns', path: 'y' }),
        ]);
        expect(await allVisible(backend, 'me', '', 'files')).toEqual(['x']);
        expect(await allVisible(backend, 'me', '', 'other-ns')).toEqual(['y']);
      });

      it('isEmpty ignores failed rows only', async () => {
        expect(await backend.isEmpty()).toBe(true);
        await seed(backend, [fileRecord({ path: 'f', status: 'failed' })]);
        expect(await backend.isEmpty()).toBe(true);
        await seed(backend, [pendingRecord('me', { path: 'p' })]);
        expect(await backend.isEmpty()).toBe(false);
      });
    });

    describe('scopes', () => {
      it('isolates scopes that share one store and shares one scope between instances', async () => {
        const otherScope = await open(`${scope}-other`);
        const sameScope = await open(scope);
        await backend.createSession(sessionRecord('s1', at(-1)));
        await seed(
          backend,
          [pendingRecord('s1', { path: 'shared/path' })],
          [journalEntry({ sessionId: 's1', seq: 0, path: 'shared/path' })],
        );
        await seed(otherScope, [fileRecord({ path: 'shared/path' })]);

        expect(await allVisible(backend, 'x')).toEqual([]);
        expect(await allVisible(otherScope, 'x')).toEqual(['shared/path']);
        expect(await otherScope.getSession('s1')).toBeNull();
        expect(await otherScope.findExpiredSessions(T0, 10)).toEqual([]);
        expect(await otherScope.getJournal('s1')).toEqual([]);
        await otherScope.endSession('s1');
        await otherScope.commitSession('s1', T0);
        expect(
          (
            await backend.getRecords([
              { namespace: 'files', path: 'shared/path' },
            ])
          )
            .values()
            .next().value,
        ).toEqual(pendingRecord('s1', { path: 'shared/path' }));

        expect(await sameScope.getSession('s1')).not.toBeNull();
        expect(await allVisible(sameScope, 's1')).toEqual(['shared/path']);
        expect(await sameScope.isEmpty()).toBe(false);
      });
    });

    describe('stage', () => {
      it('writes rows and journal entries and returns what decide returned', async () => {
        const previous = fileRecord({ path: 'a', etag: 'old' });
        await seed(backend, [previous]);
        const next = pendingRecord('s1', { path: 'a', operation: 'put' });
        const created = pendingRecord('s1', { path: 'b' });
        const entries = [
          journalEntry({
            sessionId: 's1',
            seq: 0,
            path: 'a',
            operation: 'put',
            restore: 'backup',
            backupPath: 'fennflow/tmp/session_id_s1/operation_id_x/a',
            previous,
          }),
          journalEntry({ sessionId: 's1', seq: 1, path: 'b' }),
        ];

        let seen: StagingSnapshot | undefined;
        const result = await backend.stage(
          [keyOf(next), keyOf(created)],
          (snapshot) => {
            seen = snapshot;
            return { records: [next, created], journal: entries, result: 42 };
          },
        );

        expect(result).toBe(42);
        expect([...(seen?.records.values() ?? [])]).toEqual([previous]);
        expect(seen?.lockHolders.size).toBe(0);
        const rows = await backend.getRecords([keyOf(next), keyOf(created)]);
        expect(rows.get(recordKeyOf(next))).toEqual(next);
        expect(rows.get(recordKeyOf(created))).toEqual(created);
        const journal = await backend.getJournal('s1');
        expect(journal).toEqual(entries);
        expect(journal[0].previous?.createdAt).toBeInstanceOf(Date);
        expect(journal[0].previous?.updatedAt).toEqual(previous.updatedAt);
      });

      it('appends journal entries in the order they were staged', async () => {
        for (const seq of [0, 1, 2]) {
          await seed(
            backend,
            [],
            [journalEntry({ sessionId: 's1', seq, path: `p${seq}` })],
          );
        }
        await seed(
          backend,
          [],
          [
            journalEntry({ sessionId: 's1', seq: 4, path: 'p4' }),
            journalEntry({ sessionId: 's1', seq: 3, path: 'p3' }),
          ],
        );
        expect((await backend.getJournal('s1')).map((e) => e.seq)).toEqual([
          0, 1, 2, 4, 3,
        ]);
        expect(await backend.getJournal('nobody')).toEqual([]);
      });

      it('shows decide the sessions holding locks on the loaded rows', async () => {
        await backend.createSession(sessionRecord('holder', at(30_000)));
        await seed(backend, [
          pendingRecord('holder', { path: 'a' }),
          pendingRecord('gone', { path: 'b' }),
          fileRecord({ path: 'c' }),
        ]);
        let seen: StagingSnapshot | undefined;
        await backend.stage(
          ['a', 'b', 'c', 'd'].map((path) => ({ namespace: 'files', path })),
          (snapshot) => {
            seen = snapshot;
            return { records: [], journal: [], result: undefined };
          },
        );
        expect([...(seen?.records.keys() ?? [])].sort()).toEqual(
          ['a', 'b', 'c'].map((path) =>
            recordKeyOf({ namespace: 'files', path }),
          ),
        );
        expect([...(seen?.lockHolders.values() ?? [])]).toEqual([
          sessionRecord('holder', at(30_000)),
        ]);
      });

      it('writes nothing when decide throws, and rethrows the same error', async () => {
        const before = fileRecord({ path: 'a' });
        await seed(backend, [before]);
        const error = new RecordLockedError('files', 'a', 'someone');
        await expect(
          backend.stage([keyOf(before)], () => {
            throw error;
          }),
        ).rejects.toBe(error);

        // Also when decide had computed rows before throwing.
        const attempt = backend.stage(
          [keyOf(before), { namespace: 'files', path: 'b' }],
          () => {
            const records = [
              pendingRecord('s1', { path: 'a' }),
              pendingRecord('s1', { path: 'b' }),
            ];
            if (records.length > 0)
              throw new RecordAlreadyExistsError('files', 'a');
            return { records, journal: [], result: undefined };
          },
        );
        await expect(attempt).rejects.toBeInstanceOf(RecordAlreadyExistsError);

        expect(
          await backend.getRecords([
            keyOf(before),
            { namespace: 'files', path: 'b' },
          ]),
        ).toEqual(new Map([[recordKeyOf(before), before]]));
        expect(await backend.getJournal('s1')).toEqual([]);
      });

      it('lets exactly one of many concurrent stagings create a new path', async () => {
        const second = await open(scope);
        const key = { namespace: 'files', path: `race/${randomUUID()}` };
        const attempts = Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? backend : second).stage([key], (snapshot) => {
            const current = snapshot.records.get(recordKeyOf(key));
            if (current)
              throw new RecordLockedError(
                key.namespace,
                key.path,
                String(current.lockedBy),
              );
            const session = `racer-${i}`;
            return {
              records: [pendingRecord(session, { path: key.path })],
              journal: [
                journalEntry({ sessionId: session, seq: 0, path: key.path }),
              ],
              result: session,
            };
          }),
        );
        const results = await Promise.allSettled(attempts);
        const winners = results.filter((r) => r.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected')
            expect(r.reason).toBeInstanceOf(RecordLockedError);
        }
        const winner = (winners[0] as PromiseFulfilledResult<string>).value;
        const row = (await backend.getRecords([key])).get(recordKeyOf(key));
        expect(row?.lockedBy).toBe(winner);
        expect(await backend.getJournal(winner)).toHaveLength(1);
      });
    });

    describe('updatePending', () => {
      it("fills in size and etag of the session's own pending rows only", async () => {
        await seed(backend, [
          pendingRecord('s1', { path: 'a', size: null, etag: null }),
          pendingRecord('s1', { path: 'b', size: 1, etag: 'keep' }),
          pendingRecord('s2', { path: 'c', size: null, etag: null }),
          fileRecord({ path: 'd', lockedBy: 's1', size: 9, etag: 'committed' }),
        ]);
        await backend.updatePending('s1', [
          { namespace: 'files', path: 'a', size: 10 },
          { namespace: 'files', path: 'a', etag: 'e-a' },
          { namespace: 'files', path: 'b', etag: null },
          { namespace: 'files', path: 'c', size: 30, etag: 'e-c' },
          { namespace: 'files', path: 'd', size: 40, etag: 'e-d' },
          { namespace: 'files', path: 'missing', size: 50 },
        ]);
        await backend.updatePending('s1', []);
        const rows = await backend.getRecords(
          ['a', 'b', 'c', 'd', 'missing'].map((path) => ({
            namespace: 'files',
            path,
          })),
        );
        const row = (path: string) =>
          rows.get(recordKeyOf({ namespace: 'files', path }));
        expect(row('a')).toMatchObject({ size: 10, etag: 'e-a' });
        expect(row('b')).toMatchObject({ size: 1, etag: null });
        expect(row('c')).toMatchObject({ size: null, etag: null });
        expect(row('d')).toMatchObject({ size: 9, etag: 'committed' });
        expect(row('missing')).toBeUndefined();
      });
    });

    describe('commit', () => {
      async function stagedSession() {
        await backend.createSession(sessionRecord('s1', at(30_000)));
        await seed(
          backend,
          [
            pendingRecord('s1', { path: 'created' }),
            pendingRecord('s1', { path: 'removed', operation: 'delete' }),
            pendingRecord('s2', { path: 'theirs' }),
            fileRecord({ path: 'committed-before' }),
          ],
          [
            journalEntry({ sessionId: 's1', seq: 0, path: 'created' }),
            journalEntry({
              sessionId: 's1',
              seq: 1,
              path: 'removed',
              operation: 'delete',
              effect: 'remove',
              restore: 'none',
            }),
            journalEntry({ sessionId: 's2', seq: 0, path: 'theirs' }),
          ],
        );
      }

      it('commitSession flips pending rows, marks the session committing and returns the active journal', async () => {
        await stagedSession();
        await seed(
          backend,
          [],
          [
            journalEntry({
              sessionId: 's1',
              seq: 2,
              path: 'stuck',
              state: 'compensation_failed',
              error: 'earlier failure',
            }),
          ],
        );
        const now = at(5_000);
        const journal = await backend.commitSession('s1', now);

        expect(journal.map((e) => e.path)).toEqual(['created', 'removed']);
        const rows = await backend.getRecords(
          ['created', 'removed', 'theirs', 'committed-before'].map((path) => ({
            namespace: 'files',
            path,
          })),
        );
        const row = (path: string) =>
          rows.get(recordKeyOf({ namespace: 'files', path }));
        expect(row('created')).toEqual({
          ...pendingRecord('s1', { path: 'created' }),
          status: 'uploaded',
          lockedBy: null,
          updatedAt: now,
        });
        expect(row('removed')).toEqual({
          ...pendingRecord('s1', { path: 'removed', operation: 'delete' }),
          status: 'deleted',
          lockedBy: 's1',
          updatedAt: now,
        });
        expect(row('theirs')).toEqual(pendingRecord('s2', { path: 'theirs' }));
        expect(row('committed-before')).toEqual(
          fileRecord({ path: 'committed-before' }),
        );
        expect((await backend.getSession('s1'))?.state).toBe('committing');
        expect(await allVisible(backend, 'stranger')).toEqual([
          'committed-before',
          'created',
        ]);
        // The commit keeps the journal: cleanup reads it, completeCommit forgets it.
        expect(await backend.getJournal('s1')).toHaveLength(3);
      });

      it('completeCommit releases deleted paths, forgets the active journal and reopens the session', async () => {
        await stagedSession();
        await backend.commitSession('s1', at(5_000));
        await backend.completeCommit('s1');

        const removed = (
          await backend.getRecords([{ namespace: 'files', path: 'removed' }])
        )
          .values()
          .next().value;
        expect(removed).toMatchObject({ status: 'deleted', lockedBy: null });
        expect(await backend.getJournal('s1')).toEqual([]);
        expect((await backend.getSession('s1'))?.state).toBe('open');
        expect(await backend.getJournal('s2')).toHaveLength(1);
      });

      it('completeCommit leaves a session with failed steps in compensation_failed', async () => {
        await stagedSession();
        const stuck = journalEntry({
          sessionId: 's1',
          seq: 2,
          path: 'stuck',
          state: 'compensation_failed',
          error: 'earlier failure',
        });
        await seed(backend, [], [stuck]);
        await backend.commitSession('s1', at(5_000));
        await backend.completeCommit('s1');
        expect(await backend.getJournal('s1')).toEqual([stuck]);
        expect((await backend.getSession('s1'))?.state).toBe(
          'compensation_failed',
        );
      });

      it('commits a session without pending rows', async () => {
        await backend.createSession(sessionRecord('idle', at(1000)));
        expect(await backend.commitSession('idle', T0)).toEqual([]);
        await backend.completeCommit('idle');
        expect((await backend.getSession('idle'))?.state).toBe('open');
      });
    });

    describe('applyRollback', () => {
      it('writes the restored rows, forgets settled steps and marks failed ones', async () => {
        const original = fileRecord({ path: 'a', etag: 'original' });
        await backend.createSession(sessionRecord('s1', at(30_000)));
        await seed(
          backend,
          [
            pendingRecord('s1', { path: 'a', operation: 'put' }),
            pendingRecord('s1', { path: 'b' }),
            pendingRecord('s1', { path: 'c' }),
          ],
          [
            journalEntry({
              sessionId: 's1',
              seq: 0,
              path: 'a',
              previous: original,
            }),
            journalEntry({ sessionId: 's1', seq: 1, path: 'b' }),
            journalEntry({ sessionId: 's1', seq: 2, path: 'c' }),
            journalEntry({
              sessionId: 's1',
              seq: 3,
              path: 'c',
              firstTouch: false,
            }),
          ],
        );
        const rolledBack = {
          ...pendingRecord('s1', { path: 'b' }),
          status: 'failed' as const,
          lockedBy: null,
          error: 'rolled back',
          updatedAt: at(9),
        };
        const stuck = {
          ...pendingRecord('s1', { path: 'c' }),
          status: 'compensation_failed' as const,
          error: 'disk on fire',
        };

        await backend.applyRollback('s1', {
          records: [original, rolledBack, stuck],
          settledOperationIds: ['s1-op-0', 's1-op-1'],
          failedSteps: [
            { operationId: 's1-op-2', error: 'first try' },
            { operationId: 's1-op-2', error: 'disk on fire' },
            { operationId: 's1-op-3', error: 'disk on fire' },
          ],
        });

        const rows = await backend.getRecords(
          ['a', 'b', 'c'].map((path) => ({ namespace: 'files', path })),
        );
        expect(
          [...rows.values()].sort((x, y) => comparePaths(x.path, y.path)),
        ).toEqual([original, rolledBack, stuck]);
        expect(await backend.getJournal('s1')).toEqual([
          journalEntry({
            sessionId: 's1',
            seq: 2,
            path: 'c',
            state: 'compensation_failed',
            error: 'disk on fire',
          }),
          journalEntry({
            sessionId: 's1',
            seq: 3,
            path: 'c',
            firstTouch: false,
            state: 'compensation_failed',
            error: 'disk on fire',
          }),
        ]);
        expect(isVisibleTo(rows.get(recordKeyOf(original)), 'stranger')).toBe(
          true,
        );
      });

      it('forgets a step that is both settled and failed', async () => {
        await seed(
          backend,
          [],
          [journalEntry({ sessionId: 's1', seq: 0, path: 'a' })],
        );
        await backend.applyRollback('s1', {
          records: [],
          settledOperationIds: ['s1-op-0'],
          failedSteps: [{ operationId: 's1-op-0', error: 'x' }],
        });
        expect(await backend.getJournal('s1')).toEqual([]);
      });
    });
  });
}
