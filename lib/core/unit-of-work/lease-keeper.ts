import type { FennFlowBackend } from '../backend/fennflow-backend';
import type { FennFlowLogger } from './fennflow-logger';

const abandoned = new FinalizationRegistry<NodeJS.Timeout>((timer) =>
  clearInterval(timer),
);

/**
 * Renews a session's lease every third of its length while the unit of work is open. The timer
 * does not keep the process alive, and it does not keep the session alive: if a unit of work is
 * dropped without close(), renewal stops when it is garbage-collected, its lease runs out and
 * recovery releases its locks.
 */
export class LeaseKeeper {
  private readonly timer: NodeJS.Timeout;

  constructor(
    owner: object,
    backend: FennFlowBackend,
    sessionId: string,
    leaseMs: number,
    logger: FennFlowLogger,
  ) {
    this.timer = setInterval(
      () => {
        backend
          .renewLease(sessionId, new Date(Date.now() + leaseMs))
          .catch((error: unknown) => {
            logger.warn(
              `Lease renewal of unit of work ${sessionId} failed: ${String(error)}`,
            );
          });
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    this.timer.unref();
    abandoned.register(owner, this.timer, this);
  }

  stop(): void {
    clearInterval(this.timer);
    abandoned.unregister(this);
  }
}
