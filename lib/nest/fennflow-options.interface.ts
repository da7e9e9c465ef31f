import type {
  InjectionToken,
  ModuleMetadata,
  OptionalFactoryDependency,
  Provider,
  Type,
} from '@nestjs/common';
import type { BackendConfig } from '../core/backend/fennflow-backend';
import type { RecoveryOptions } from './recovery.service';
import type {
  ReconcileConfig,
  ReconcileOptions,
} from '../core/reconcile/reconcile.config';
import type { ConnectorConfig } from '../core/connector/fennflow-connector';
import type {
  UnitOfWork,
  UnitOfWorkClass,
} from '../core/unit-of-work/unit-of-work';

/** Options next to the backend in `forRoot(backend, options)`. */
export interface FennFlowOptions<T extends UnitOfWork = UnitOfWork> {
  /** Where the bytes go; default: the in-memory connector, store named after the scope. */
  readonly connector?: ConnectorConfig;
  /** The UnitOfWork subclass that declares the repositories; default: a plain UnitOfWork. */
  readonly unitOfWork?: UnitOfWorkClass<T>;
  /** Lease of a session without renewal, in ms (default 30,000). */
  readonly leaseMs?: number;
  /** Parallel storage calls within one repository call (default 8). */
  readonly concurrency?: number;
  /**
   * Rebuild metadata from storage: `{ frequency: 'on-start-app' | 'on-session-start' | 'never',
   * strategy: 'fill-if-empty' | 'insert-missing' | 'replace', batchSize }`. Omitted: never.
   */
  readonly reconcile?: ReconcileOptions | ReconcileConfig;
  /** Recovery of expired sessions: on start-up and every `intervalMs` (default 60 s); `enabled: false` turns it off. */
  readonly recovery?: RecoveryOptions;
  /** How long `app.close()` waits for open units of work before rolling them back (default 10,000 ms). */
  readonly shutdownTimeoutMs?: number;
}

/** What a `forRootAsync` factory returns. */
export interface FennFlowModuleOptions<
  T extends UnitOfWork = UnitOfWork,
> extends FennFlowOptions<T> {
  readonly backend: BackendConfig;
}

export interface FennFlowOptionsFactory {
  createFennFlowOptions(
    scope: string,
  ): FennFlowModuleOptions | Promise<FennFlowModuleOptions>;
}

export interface FennFlowModuleAsyncOptions extends Pick<
  ModuleMetadata,
  'imports'
> {
  /** Names the tokens; must equal the scope of the backend the factory returns. Default `'default'`. */
  readonly scope?: string;
  /** Default `true`: the providers are visible to every module. */
  readonly isGlobal?: boolean;
  readonly useFactory?: (
    ...args: never[]
  ) => FennFlowModuleOptions | Promise<FennFlowModuleOptions>;
  readonly inject?: Array<InjectionToken | OptionalFactoryDependency>;
  readonly useClass?: Type<FennFlowOptionsFactory>;
  readonly useExisting?: Type<FennFlowOptionsFactory>;
  /** Providers the factory class or function needs that no imported module exports. */
  readonly extraProviders?: Provider[];
}
