import type { FennFlowBackend } from '../backend/fennflow-backend';
import type { FennFlowConnector } from '../connector/fennflow-connector';
import type { CompensationFailure } from '../errors/fennflow.errors';
import { compensateSession } from './compensate-session';
import type { FennFlowLogger } from './fennflow-logger';
import { finishCommit } from './finish-commit';

export interface RecoveryOptions {
  readonly logger: FennFlowLogger;
  /** Lease taken while recovering, so no other process recovers the same session at once. */
  readonly leaseMs: number;
}

export type RecoveryResult =
  'not-expired' | 'rolled-back' | 'committed' | 'compensation-failed';

/**
 * Finishes what a dead (lease expired) session left: a session past its commit point is rolled
 * forward (cleanup), any other is compensated from its journal. Then its locks are released.
 */
export async function recoverSession(
  backend: FennFlowBackend,
  connector: FennFlowConnector,
  sessionId: string,
  options: RecoveryOptions,
): Promise<RecoveryResult> {
  const now = new Date();
  const session = await backend.getSession(sessionId);
  if (!session) {
    // Locks without a session row cannot be compensated any more; release them.
    await backend.endSession(sessionId);
    return 'rolled-back';
  }
  const claimed = await backend.claimSession(
    sessionId,
    now,
    new Date(now.getTime() + options.leaseMs),
  );
  if (!claimed) return 'not-expired';

  await abortInterruptedUploads(
    backend,
    connector,
    sessionId,
    now,
    options.logger,
  );
  if (session.state === 'committing') {
    const journal = (await backend.getJournal(sessionId)).filter(
      (e) => e.state === 'active',
    );
    await finishCommit(backend, connector, sessionId, journal, options.logger);
  }
  const failures: CompensationFailure[] = await compensateSession(
    backend,
    connector,
    sessionId,
    options.logger,
  );
  if (failures.length > 0) {
    await backend.setSessionState(sessionId, 'compensation_failed');
    await backend.renewLease(
      sessionId,
      new Date(now.getTime() + options.leaseMs),
    );
    options.logger.warn(
      `Recovery of unit of work ${sessionId} left ${failures.length} step(s) to retry.`,
    );
    return 'compensation-failed';
  }
  await backend.endSession(sessionId);
  options.logger.log(
    `Recovered unit of work ${sessionId} (${session.state === 'committing' ? 'committed' : 'rolled back'}).`,
  );
  return session.state === 'committing' ? 'committed' : 'rolled-back';
}

/**
 * A multipart upload the dead process had under way is invisible but billed; its keys are still
 * locked by the session, so every upload to them that started before now was its own.
 */
async function abortInterruptedUploads(
  backend: FennFlowBackend,
  connector: FennFlowConnector,
  sessionId: string,
  now: Date,
  logger: FennFlowLogger,
): Promise<void> {
  const writes = (await backend.getJournal(sessionId)).filter(
    (e) => e.effect === 'write',
  );
  const keys = new Map(writes.map((e) => [`${e.namespace}\u0000${e.path}`, e]));
  for (const entry of keys.values()) {
    try {
      await connector.removeAbandonedUploads(entry.namespace, now, {
        key: entry.path,
      });
    } catch (error) {
      logger.warn(
        `Aborting interrupted uploads to '${entry.path}' in '${entry.namespace}' failed; left for garbage collection: ${String(error)}`,
      );
    }
  }
}
