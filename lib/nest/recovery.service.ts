import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { UnitOfWorkFactory } from '../core/unit-of-work/unit-of-work.factory';
import type { RecoveryResult } from '../core/unit-of-work/recover-session';

export interface RecoveryOptions {
  /** Default `true`. When `false`, nothing runs by itself; `run()` still works. */
  readonly enabled?: boolean;
  /** How often to look for sessions whose lease expired, in ms (default 60,000). */
  readonly intervalMs?: number;
}

/**
 * Finds sessions whose lease expired — a process that crashed, or a unit of work that was
 * dropped without close() — and finishes them: compensates what they left pending, or completes
 * the cleanup of a commit, then releases their locks. Runs when the application starts and then
 * on an interval.
 */
export class RecoveryService implements OnApplicationBootstrap {
  private readonly logger = new Logger('FennFlowRecovery');
  private timer?: NodeJS.Timeout;
  private running?: Promise<RecoveryResult[]>;

  constructor(
    private readonly factory: UnitOfWorkFactory,
    private readonly options: RecoveryOptions = {},
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.enabled === false) return;
    await this.runQuietly();
    this.timer = setInterval(
      () => void this.runQuietly(),
      this.options.intervalMs ?? 60_000,
    );
    this.timer.unref();
  }

  /** Stops the interval and waits for a run in progress; called before the scope closes. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Recovers every expired session now; returns what happened to each. */
  async run(): Promise<RecoveryResult[]> {
    if (!this.running) {
      this.running = this.recoverAll().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async recoverAll(): Promise<RecoveryResult[]> {
    const results: RecoveryResult[] = [];
    for (;;) {
      const batch = await this.factory.recoverExpired(100);
      results.push(...batch);
      if (batch.length < 100 || batch.every((r) => r === 'not-expired'))
        return results;
    }
  }

  private async runQuietly(): Promise<void> {
    try {
      const results = await this.run();
      const settled = results.filter((r) => r !== 'not-expired').length;
      if (settled > 0)
        this.logger.log(`Recovered ${settled} expired unit(s) of work.`);
    } catch (error) {
      this.logger.error(
        `Recovery failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
