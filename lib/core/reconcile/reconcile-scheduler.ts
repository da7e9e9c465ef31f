import type { ReconcileReport } from './reconcile-report';
import { ReconcileConfig } from './reconcile.config';
import type { ReconcileOptions } from './reconcile.config';
import type { Reconciler } from './reconciler';

/**
 * Applies a ReconcileConfig's `frequency` for one unit of work factory:
 * - `on-start-app`: `onStart()` runs it once (a failed run is retried by the next call);
 * - `on-session-start`: `beforeSession()` runs it before every unit of work opens;
 * - `never`: both do nothing.
 * Concurrent callers share the run in flight instead of starting another.
 */
export class ReconcileScheduler {
  readonly config: ReconcileConfig;
  private done = false;
  private inFlight: Promise<ReconcileReport> | null = null;

  constructor(
    private readonly reconciler: Reconciler,
    config?: ReconcileOptions | ReconcileConfig,
  ) {
    this.config = ReconcileConfig.from(config);
  }

  /** Call once when the application starts (Nest: while the module initialises). */
  async onStart(): Promise<ReconcileReport | null> {
    if (this.config.frequency !== 'on-start-app' || this.done) return null;
    const report = await this.runShared();
    this.done = true;
    return report;
  }

  /** Call at the start of every `begin()`. */
  async beforeSession(): Promise<ReconcileReport | null> {
    if (this.config.frequency === 'on-start-app') return this.onStart();
    if (this.config.frequency !== 'on-session-start') return null;
    return this.runShared();
  }

  private runShared(): Promise<ReconcileReport> {
    if (!this.inFlight) {
      this.inFlight = this.reconciler
        .reconcile({
          strategy: this.config.strategy,
          batchSize: this.config.batchSize,
        })
        .finally(() => {
          this.inFlight = null;
        });
    }
    return this.inFlight;
  }
}
