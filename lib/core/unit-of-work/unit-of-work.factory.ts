import type { FennFlowBackend } from '../backend/fennflow-backend';
import type { FennFlowConnector } from '../connector/fennflow-connector';
import {
  CompensationFailedError,
  UnitOfWorkClosedError,
} from '../errors/fennflow.errors';
import { consoleLogger, FennFlowLogger } from './fennflow-logger';
import { recoverSession, RecoveryResult } from './recover-session';
import { SagaSession } from './saga-session';
import { UnitOfWorkHost } from './unit-of-work-host';
import type { ReconcileConfig } from '../reconcile/reconcile.config';
import type { ReconcileOptions } from '../reconcile/reconcile.config';
import { ReconcileScheduler } from '../reconcile/reconcile-scheduler';
import { Reconciler } from '../reconcile/reconciler';
import {
  namespacesOf,
  sessionOf,
  UnitOfWork,
  UnitOfWorkClass,
} from './unit-of-work';

export interface UnitOfWorkFactoryOptions<T extends UnitOfWork> {
  readonly backend: FennFlowBackend;
  readonly connector: FennFlowConnector;
  /** The UnitOfWork subclass that declares the repositories; default: a plain UnitOfWork. */
  readonly unitOfWork?: UnitOfWorkClass<T>;
  readonly logger?: FennFlowLogger;
  /** Lease of a session without renewal, in ms; default 30 s. Locks of a dead process free up after it. */
  readonly leaseMs?: number;
  /** Parallel storage calls within one repository call; default 8. */
  readonly concurrency?: number;
  /**
   * Rebuild metadata from storage: on the first `begin()` (or `init()`), before every unit of
   * work, or never. Omitted: never — importing what storage holds is an explicit choice.
   */
  readonly reconcile?: ReconcileOptions | ReconcileConfig;
}

export interface BeginOptions {
  /** Overrides the factory's lease for this unit of work. */
  readonly leaseMs?: number;
}

/**
 * Opens units of work. Works in plain Node (`new UnitOfWorkFactory({ backend, connector })`) and
 * is what the Nest module injects.
 */
export class UnitOfWorkFactory<T extends UnitOfWork = UnitOfWork> {
  /** Namespaces declared by the unit of work class, checked when the factory is built. */
  readonly namespaces: readonly string[];
  private readonly unitOfWorkClass: UnitOfWorkClass<T>;
  private readonly logger: FennFlowLogger;
  private readonly open = new Set<WeakRef<T>>();
  private accepting = true;
  /** Rebuilds metadata from storage for this factory's namespaces, on demand. */
  readonly reconciler: Reconciler;
  private readonly reconcileScheduler?: ReconcileScheduler;
  private hostOfFactory?: UnitOfWorkHost<T>;

  constructor(private readonly options: UnitOfWorkFactoryOptions<T>) {
    this.unitOfWorkClass =
      options.unitOfWork ?? (UnitOfWork as UnitOfWorkClass<T>);
    this.logger = options.logger ?? consoleLogger;
    this.namespaces = namespacesOf(
      new this.unitOfWorkClass({ connector: options.connector }),
    );
    this.reconciler = new Reconciler({
      backend: options.backend,
      connector: options.connector,
      namespaces: this.namespaces,
      logger: this.logger,
    });
    if (options.reconcile) {
      this.reconcileScheduler = new ReconcileScheduler(
        this.reconciler,
        options.reconcile,
      );
    }
  }

  get backend(): FennFlowBackend {
    return this.options.backend;
  }

  get connector(): FennFlowConnector {
    return this.options.connector;
  }

  /** The host that carries this factory's units of work across async calls (one per factory). */
  get host(): UnitOfWorkHost<T> {
    this.hostOfFactory ??= new UnitOfWorkHost(this);
    return this.hostOfFactory;
  }

  /**
   * Prepares storage for the declared namespaces (creates folders, checks buckets) and runs the
   * `on-start-app` reconcile. Optional in plain Node: `begin()` reconciles on first use anyway.
   */
  async init(): Promise<void> {
    for (const namespace of this.namespaces) {
      await this.options.connector.ensureNamespace(namespace);
    }
    await this.reconcileScheduler?.onStart();
  }

  /** Opens a unit of work; close it (or `await using` it) so what is not committed rolls back. */
  async begin(options: BeginOptions = {}): Promise<T> {
    if (!this.accepting) {
      throw new UnitOfWorkClosedError(
        'FennFlow is shutting down; no new unit of work can begin.',
      );
    }
    await this.reconcileScheduler?.beforeSession();
    const session = new SagaSession({
      backend: this.options.backend,
      connector: this.options.connector,
      logger: this.logger,
      leaseMs: options.leaseMs ?? this.options.leaseMs ?? 30_000,
      concurrency: this.options.concurrency ?? 8,
    });
    await session.open();
    const unitOfWork = new this.unitOfWorkClass({
      connector: this.options.connector,
      session,
    });
    this.open.add(new WeakRef(unitOfWork));
    return unitOfWork;
  }

  /**
   * Opens a unit of work, runs `fn`, commits if it resolves and compensates if it throws, then
   * closes. Returns what `fn` returned; rethrows `fn`'s error unchanged, or a
   * CompensationFailedError (cause: `fn`'s error) when the compensation failed too.
   */
  async run<R>(
    fn: (unitOfWork: T) => Promise<R>,
    options: BeginOptions = {},
  ): Promise<R> {
    const unitOfWork = await this.begin(options);
    try {
      let result: R;
      try {
        result = await fn(unitOfWork);
      } catch (error) {
        await this.compensateAfter(unitOfWork, error);
        throw error;
      }
      await unitOfWork.commit();
      return result;
    } finally {
      await unitOfWork.close().catch((error: unknown) => {
        this.logger.error(`Closing unit of work failed: ${String(error)}`);
      });
    }
  }

  private async compensateAfter(unitOfWork: T, error: unknown): Promise<void> {
    try {
      await unitOfWork.rollback();
    } catch (compensationError) {
      if (compensationError instanceof CompensationFailedError) {
        throw new CompensationFailedError(compensationError.failures, {
          cause: error,
        });
      }
      throw compensationError;
    }
  }

  /** Recovers sessions whose lease expired (crashed or abandoned); returns how many it settled. */
  async recoverExpired(limit = 100): Promise<RecoveryResult[]> {
    const expired = await this.options.backend.findExpiredSessions(
      new Date(),
      limit,
    );
    const results: RecoveryResult[] = [];
    for (const session of expired) {
      results.push(
        await recoverSession(
          this.options.backend,
          this.options.connector,
          session.id,
          {
            logger: this.logger,
            leaseMs: this.options.leaseMs ?? 30_000,
          },
        ),
      );
    }
    return results;
  }

  /** Number of units of work begun and not yet closed. */
  get openCount(): number {
    return this.liveUnitsOfWork().length;
  }

  /**
   * Stops new units of work, waits up to `timeoutMs` for open ones to finish, then closes the
   * rest (rolling back what they did not commit).
   */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    this.accepting = false;
    const deadline = Date.now() + timeoutMs;
    while (this.liveUnitsOfWork().length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const unitOfWork of this.liveUnitsOfWork()) {
      this.logger.warn(
        `Unit of work ${unitOfWork.id} was still open at shutdown; rolling it back.`,
      );
      await unitOfWork.close().catch((error: unknown) => {
        this.logger.error(`Rollback at shutdown failed: ${String(error)}`);
      });
    }
  }

  private liveUnitsOfWork(): T[] {
    const live: T[] = [];
    for (const ref of this.open) {
      const unitOfWork = ref.deref();
      if (unitOfWork && sessionOf(unitOfWork)?.isOpen) live.push(unitOfWork);
      else this.open.delete(ref);
    }
    return live;
  }
}
