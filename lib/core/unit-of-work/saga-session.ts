import { randomUUID } from 'node:crypto';
import type { FennFlowBackend } from '../backend/fennflow-backend';
import { isVisibleTo, recordKeyOf } from '../backend/file-record';
import type { FileRecord, RecordKey } from '../backend/file-record';
import type {
  FennFlowConnector,
  PutObjectResult,
} from '../connector/fennflow-connector';
import {
  CommitFailedError,
  CompensationFailedError,
  ObjectAlreadyExistsError,
  UnitOfWorkClosedError,
  NoSuchKeyError,
} from '../errors/fennflow.errors';
import { compensateSession } from './compensate-session';
import { finishCommit } from './finish-commit';
import type { FennFlowLogger } from './fennflow-logger';
import { LeaseKeeper } from './lease-keeper';
import { recoverSession } from './recover-session';
import { runAllSettled } from './run-settled';
import {
  ExpiredLockError,
  planWrites,
  PlannedStep,
  SegmentMemory,
  WriteIntent,
} from './write-plan';
import { backupPathFor } from './backup-path';
import { undoCall } from './undo-call';
import type { JournalEntry } from '../backend/journal-entry';

export interface SagaSessionOptions {
  readonly backend: FennFlowBackend;
  readonly connector: FennFlowConnector;
  readonly logger: FennFlowLogger;
  /** How long a lease lasts without renewal; renewed every third of it while open. */
  readonly leaseMs: number;
  /** Parallel storage calls within one repository call. */
  readonly concurrency: number;
}

type SessionPhase = 'new' | 'open' | 'closed';

/**
 * One opened unit of work: its id, lease, journal and the saga rules of SPEC §5. Repositories
 * call into it; it stages intent in the backend before any storage I/O and knows how to commit,
 * compensate and close.
 */
export class SagaSession {
  readonly id = randomUUID();
  private phase: SessionPhase = 'new';
  private memory: SegmentMemory;
  private hasPendingWork = false;
  /** The journal may still hold steps (a compensation failed or did not finish). */
  private journalLeft = false;
  /** A write failure that could not be undone: the segment can only roll back. */
  private failedWrite: unknown = undefined;
  /** Journal steps appended while a call runs (restore corrections), by the step they correct. */
  private readonly corrections = new WeakMap<PlannedStep, JournalEntry[]>();
  private lease?: LeaseKeeper;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(readonly options: SagaSessionOptions) {
    this.memory = emptyMemory(this.id, 0);
  }

  get backend(): FennFlowBackend {
    return this.options.backend;
  }

  get connector(): FennFlowConnector {
    return this.options.connector;
  }

  get isOpen(): boolean {
    return this.phase === 'open';
  }

  async open(): Promise<void> {
    const now = Date.now();
    await this.backend.createSession({
      id: this.id,
      state: 'open',
      createdAt: new Date(now),
      leaseExpiresAt: new Date(now + this.options.leaseMs),
    });
    this.phase = 'open';
    this.lease = new LeaseKeeper(
      this,
      this.backend,
      this.id,
      this.options.leaseMs,
      this.options.logger,
    );
  }

  assertOpen(): void {
    if (this.phase !== 'open') {
      throw new UnitOfWorkClosedError(
        `Unit of work ${this.id} is ${this.phase === 'new' ? 'not open yet' : 'closed'}; open a new one.`,
      );
    }
  }

  /** Tracks a repository call so commit, rollback and close wait for it. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.assertOpen();
    const promise = work();
    this.inFlight.add(promise);
    try {
      return await promise;
    } finally {
      this.inFlight.delete(promise);
    }
  }

  /**
   * Stages the intents (one backend transaction), then runs the storage I/O of each step, then
   * records sizes and etags (one more). Throws before any I/O when a check fails.
   */
  async write(
    intents: readonly WriteIntent[],
    io: (step: PlannedStep) => Promise<PutObjectResult | null>,
    sources: readonly RecordKey[] = [],
  ): Promise<{ steps: PlannedStep[]; results: (PutObjectResult | null)[] }> {
    const steps = await this.stage(intents, sources);
    const corrections: JournalEntry[] = [];
    for (const step of steps) this.corrections.set(step, corrections);
    const run = await runAllSettled(
      steps.map(
        (step) => () => (step.entry ? io(step) : Promise.resolve(null)),
      ),
      this.options.concurrency,
    );
    if (run.failures.length > 0) {
      const failed = new Set(run.failures.map((f) => steps[f.index]));
      await this.undoFailedCall(steps, failed, run.failures[0].error);
      throw run.failures[0].error;
    }
    const results = run.results as (PutObjectResult | null)[];
    const updates = steps.flatMap((step, i) => {
      const result = results[i];
      return step.entry && step.intent.effect === 'write' && result
        ? [
            {
              namespace: step.intent.namespace,
              path: step.intent.path,
              size: result.size,
              etag: result.etag,
            },
          ]
        : [];
    });
    if (updates.length > 0) {
      await this.backend
        .updatePending(this.id, updates)
        .catch((error: unknown) => {
          this.failedWrite ??= error;
          throw error;
        });
    }
    return { steps, results };
  }

  /**
   * Puts bytes at a step's key with its backup taken first. A key believed empty is written
   * conditionally; if an object is there after all (storage drifted from the metadata), the
   * session journals a backup of it and overwrites, so rollback still brings it back. A body
   * that can be sent only once (a stream) is checked with a HEAD instead of a conditional write.
   */
  async writeBytes(
    step: PlannedStep,
    put: (conditional: boolean) => Promise<PutObjectResult>,
    bodyCanBeResent = true,
  ): Promise<PutObjectResult> {
    const entry = step.entry;
    if (!entry) throw new Error('writeBytes needs a staged step');
    if (entry.restore === 'backup' && entry.backupPath) {
      const backedUp = await this.backUpOrForget(step, entry.backupPath);
      if (!backedUp) await this.journalRestore(step, 'delete');
    }
    if (!step.expectEmptyKey) return put(false);
    if (!bodyCanBeResent) {
      if (await this.connector.headObject(entry.namespace, entry.path)) {
        await this.backUpUnexpectedObject(step);
      }
      return put(false);
    }
    try {
      return await put(true);
    } catch (error) {
      if (!(error instanceof ObjectAlreadyExistsError)) throw error;
      await this.backUpUnexpectedObject(step);
      return put(false);
    }
  }

  private async backUpUnexpectedObject(step: PlannedStep): Promise<void> {
    const backupPath = await this.journalRestore(step, 'backup');
    await this.backUpOrForget(step, backupPath);
  }

  /**
   * A backup that failed means the key was not overwritten, so this step must not own the
   * key's restore: the next write to it takes its own backup.
   */
  private async backUpOrForget(
    step: PlannedStep,
    backupPath: string,
  ): Promise<boolean> {
    try {
      return await this.backUp(
        step.intent.namespace,
        step.intent.path,
        backupPath,
      );
    } catch (error) {
      const writtenKeys = new Set(this.memory.writtenKeys);
      writtenKeys.delete(recordKeyOf(step.intent));
      this.memory = { ...this.memory, writtenKeys };
      throw error;
    }
  }

  private async backUp(
    namespace: string,
    key: string,
    backupPath: string,
  ): Promise<boolean> {
    try {
      await this.connector.copyObject(
        { namespace, key },
        { namespace, key: backupPath },
      );
      return true;
    } catch (error) {
      if (error instanceof NoSuchKeyError) return false;
      throw error;
    }
  }

  /** Appends a step that corrects how a key is restored, before the I/O it guards. */
  private async journalRestore(
    step: PlannedStep,
    restore: 'delete' | 'backup',
  ): Promise<string> {
    const { intent } = step;
    const operationId = randomUUID();
    const backupPath =
      restore === 'backup'
        ? backupPathFor(this.id, operationId, intent.path)
        : null;
    const seq = this.takeSeq();
    const entry: JournalEntry = {
      sessionId: this.id,
      seq,
      operationId,
      operation: intent.operation,
      effect: 'write',
      namespace: intent.namespace,
      path: intent.path,
      restore,
      backupPath,
      firstTouch: false,
      previous: null,
      state: 'active',
      error: null,
    };
    await this.backend.stage([intent], () => ({
      records: [],
      journal: [entry],
      result: undefined,
    }));
    this.corrections.get(step)?.push(entry);
    return backupPath ?? '';
  }

  /** Puts back what a failed call staged and wrote, so the session is as it was before it. */
  private async undoFailedCall(
    steps: readonly PlannedStep[],
    failed: ReadonlySet<PlannedStep>,
    error: unknown,
  ): Promise<void> {
    const corrections = steps
      .flatMap((step) => this.corrections.get(step) ?? [])
      .filter(unique);
    let undone;
    try {
      undone = await undoCall({
        backend: this.backend,
        connector: this.connector,
        sessionId: this.id,
        steps,
        failed,
        corrections,
        logger: this.options.logger,
      });
    } catch (undoError) {
      this.failedWrite ??= undoError;
      return;
    }
    const writtenKeys = new Set(this.memory.writtenKeys);
    const before = new Map(this.memory.before);
    for (const key of undone.forgottenKeys) {
      writtenKeys.delete(key);
      before.delete(key);
    }
    for (const key of undone.unwrittenKeys) writtenKeys.delete(key);
    this.memory = { ...this.memory, writtenKeys, before };
    // What the undo could not put back stays for the session's rollback; committing it could
    // publish files without objects (or a move without its copy).
    if (undone.unsettled > 0) this.failedWrite ??= error;
  }

  private takeSeq(): number {
    const seq = this.memory.nextSeq;
    this.memory = { ...this.memory, nextSeq: seq + 1 };
    return seq;
  }

  private async stage(
    intents: readonly WriteIntent[],
    sources: readonly RecordKey[],
  ): Promise<PlannedStep[]> {
    const keys = [...intents, ...sources];
    for (let attempt = 0; ; attempt++) {
      try {
        const plan = await this.backend.stage(keys, (snapshot) =>
          planWrites(intents, snapshot, this.memory, new Date()),
        );
        this.remember(plan.steps, plan.nextSeq);
        return plan.steps;
      } catch (error) {
        if (!(error instanceof ExpiredLockError) || attempt > 0) throw error;
        await recoverSession(this.backend, this.connector, error.lockedBy, {
          logger: this.options.logger,
          leaseMs: this.options.leaseMs,
        });
      }
    }
  }

  private remember(steps: readonly PlannedStep[], nextSeq: number): void {
    const writtenKeys = new Set(this.memory.writtenKeys);
    const before = new Map(this.memory.before);
    for (const { entry } of steps) {
      if (!entry) continue;
      const key = recordKeyOf(entry);
      if (entry.firstTouch) before.set(key, entry.previous);
      if (entry.effect === 'write') writtenKeys.add(key);
      this.hasPendingWork = true;
    }
    this.memory = { ...this.memory, nextSeq, writtenKeys, before };
  }

  /** Rows visible to this session for the given keys, in the same order (null when invisible). */
  async visibleRecords(
    keys: readonly RecordKey[],
  ): Promise<(FileRecord | null)[]> {
    const rows = await this.backend.getRecords(keys);
    return keys.map((key) => {
      const row = rows.get(recordKeyOf(key));
      return row && isVisibleTo(row, this.id) ? row : null;
    });
  }

  async commit(): Promise<void> {
    this.assertOpen();
    await this.settleInFlight();
    if (!this.hasPendingWork) return;
    if (this.failedWrite !== undefined) {
      const commitError = new CommitFailedError(
        `Unit of work ${this.id} cannot commit: a write failed in it (${describe(this.failedWrite)}); its steps were compensated.`,
        { cause: this.failedWrite },
      );
      await this.compensate(commitError);
      throw commitError;
    }
    let committed;
    try {
      committed = await this.backend.commitSession(this.id, new Date());
    } catch (error) {
      const commitError = new CommitFailedError(
        `Commit of unit of work ${this.id} failed; its steps were compensated.`,
        { cause: error },
      );
      await this.compensate(commitError);
      throw commitError;
    }
    this.resetSegment();
    try {
      await finishCommit(
        this.backend,
        this.connector,
        this.id,
        committed,
        this.options.logger,
      );
    } catch (error) {
      // Past the commit point the work is committed; what is left (releasing deleted paths,
      // forgetting the journal) is recovery's to finish. The session must not go on: a later
      // rollback would find the committed steps in its journal.
      this.options.logger.warn(
        `Unit of work ${this.id} committed, but its cleanup could not be recorded (${describe(error)}); recovery finishes it once its lease runs out.`,
      );
      await this.endWithout('committing');
    }
  }

  async rollback(): Promise<void> {
    this.assertOpen();
    await this.settleInFlight();
    await this.compensate();
  }

  /** Compensates; throws CompensationFailedError (with `cause`) when a step cannot be undone. */
  async compensate(cause?: unknown): Promise<void> {
    this.journalLeft = true;
    const failures = await compensateSession(
      this.backend,
      this.connector,
      this.id,
      this.options.logger,
    );
    this.resetSegment();
    this.journalLeft = failures.length > 0;
    if (failures.length > 0) {
      throw new CompensationFailedError(
        failures,
        cause === undefined ? undefined : { cause },
      );
    }
  }

  /**
   * Rolls back what is not committed and ends the session. If a rollback step failed, the
   * session is left to recovery (its journal and backups are kept) once its lease runs out.
   */
  async close(): Promise<void> {
    if (this.phase !== 'open') return;
    await this.settleInFlight();
    let failure: unknown;
    try {
      if (this.hasPendingWork) await this.compensate();
    } catch (error) {
      failure = error;
    }
    if (this.journalLeft) {
      await this.endWithout('compensation_failed');
    } else {
      this.phase = 'closed';
      this.lease?.stop();
      await this.backend.endSession(this.id);
    }
    if (failure) throw failure;
  }

  /**
   * Closes the session but leaves it, with its journal, to recovery: its lease ends now, and
   * recovery rolls it forward (`committing`) or retries its compensation.
   */
  private async endWithout(
    state: 'committing' | 'compensation_failed',
  ): Promise<void> {
    this.phase = 'closed';
    this.lease?.stop();
    try {
      await this.backend.setSessionState(this.id, state);
      await this.backend.renewLease(this.id, new Date());
    } catch (error) {
      // The lease then runs out by itself, a little later.
      this.options.logger.warn(
        `Unit of work ${this.id} could not hand itself to recovery: ${describe(error)}`,
      );
    }
  }

  private resetSegment(): void {
    this.hasPendingWork = false;
    this.failedWrite = undefined;
    this.memory = emptyMemory(this.id, this.memory.nextSeq);
  }

  private async settleInFlight(): Promise<void> {
    while (this.inFlight.size > 0) {
      await Promise.allSettled([...this.inFlight]);
    }
  }
}

function emptyMemory(sessionId: string, nextSeq: number): SegmentMemory {
  return { sessionId, nextSeq, writtenKeys: new Set(), before: new Map() };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function unique<T>(value: T, index: number, all: readonly T[]): boolean {
  return all.indexOf(value) === index;
}
