import { Logger, Provider } from '@nestjs/common';
import { InMemoryConnectorConfig } from '../connectors/in-memory/in-memory-connector.config';
import type { FennFlowBackend } from '../core/backend/fennflow-backend';
import type { FennFlowConnector } from '../core/connector/fennflow-connector';
import { ConfigurationError } from '../core/errors/fennflow.errors';
import { UnitOfWorkFactory } from '../core/unit-of-work/unit-of-work.factory';
import type { UnitOfWorkHost } from '../core/unit-of-work/unit-of-work-host';
import { registerUnitOfWorkHost } from './unit-of-work-host.registry';
import { FennFlowLifecycle } from './fennflow-lifecycle';
import { RecoveryService } from './recovery.service';
import { GarbageCollector } from '../core/gc/garbage-collector';
import type { Reconciler } from '../core/reconcile/reconciler';
import { ReconcileConfig } from '../core/reconcile/reconcile.config';
import type { FennFlowModuleOptions } from './fennflow-options.interface';
import {
  getBackendToken,
  getConnectorToken,
  getFennFlowOptionsToken,
  getLifecycleToken,
  getRecoveryServiceToken,
  getReconcilerToken,
  getGarbageCollectorToken,
  getUnitOfWorkFactoryToken,
  getUnitOfWorkHostToken,
} from './fennflow.tokens';

/** The providers of one scope; each resource has one canonical token that overrides replace. */
export function createScopeProviders(scope: string): Provider[] {
  const optionsToken = getFennFlowOptionsToken(scope);
  const backendToken = getBackendToken(scope);
  const connectorToken = getConnectorToken(scope);
  const factoryToken = getUnitOfWorkFactoryToken(scope);
  return [
    {
      provide: backendToken,
      inject: [optionsToken],
      useFactory: async (
        options: FennFlowModuleOptions,
      ): Promise<FennFlowBackend> => {
        const backend = await options.backend.create();
        await backend.open();
        return backend;
      },
    },
    {
      provide: connectorToken,
      inject: [optionsToken],
      useFactory: async (
        options: FennFlowModuleOptions,
      ): Promise<FennFlowConnector> => {
        const config = options.connector ?? new InMemoryConnectorConfig();
        const connector = await config.create({ scope });
        await connector.open();
        return connector;
      },
    },
    {
      provide: factoryToken,
      inject: [backendToken, connectorToken, optionsToken],
      useFactory: async (
        backend: FennFlowBackend,
        connector: FennFlowConnector,
        options: FennFlowModuleOptions,
      ): Promise<UnitOfWorkFactory> => {
        const factory = new UnitOfWorkFactory({
          backend,
          connector,
          unitOfWork: options.unitOfWork,
          logger: new Logger(
            scope === 'default' ? 'FennFlow' : `FennFlow:${scope}`,
          ),
          leaseMs: options.leaseMs,
          concurrency: options.concurrency,
          reconcile: options.reconcile,
        });
        await factory.init();
        return factory;
      },
    },
    {
      provide: getUnitOfWorkHostToken(scope),
      inject: [factoryToken],
      useFactory: (factory: UnitOfWorkFactory): UnitOfWorkHost => {
        registerUnitOfWorkHost(scope, factory.host);
        return factory.host;
      },
    },
    {
      provide: getReconcilerToken(scope),
      inject: [factoryToken],
      useFactory: (factory: UnitOfWorkFactory): Reconciler =>
        factory.reconciler,
    },
    {
      provide: getGarbageCollectorToken(scope),
      inject: [factoryToken, optionsToken],
      useFactory: (
        factory: UnitOfWorkFactory,
        options: FennFlowModuleOptions,
      ) =>
        new GarbageCollector({
          backend: factory.backend,
          connector: factory.connector,
          namespaces: factory.namespaces,
          logger: new Logger(
            scope === 'default' ? 'FennFlowGC' : `FennFlowGC:${scope}`,
          ),
          leaseMs: options.leaseMs,
        }),
    },
    {
      provide: getRecoveryServiceToken(scope),
      inject: [factoryToken, optionsToken],
      useFactory: (
        factory: UnitOfWorkFactory,
        options: FennFlowModuleOptions,
      ) => new RecoveryService(factory, options.recovery),
    },
    {
      provide: getLifecycleToken(scope),
      inject: [
        factoryToken,
        connectorToken,
        backendToken,
        optionsToken,
        getRecoveryServiceToken(scope),
      ],
      useFactory: (
        factory: UnitOfWorkFactory,
        connector: FennFlowConnector,
        backend: FennFlowBackend,
        options: FennFlowModuleOptions,
        recovery: RecoveryService,
      ) =>
        new FennFlowLifecycle(
          scope,
          factory,
          connector,
          backend,
          options.shutdownTimeoutMs ?? 10_000,
          recovery,
        ),
    },
  ];
}

/** Checks what a user handed in before anything is opened. */
export function assertModuleOptions(
  options: unknown,
  scope: string,
): FennFlowModuleOptions {
  const candidate = options as
    Partial<FennFlowModuleOptions> | null | undefined;
  const backend = candidate?.backend;
  if (
    !backend ||
    typeof backend.create !== 'function' ||
    typeof backend.scope !== 'string'
  ) {
    throw new ConfigurationError(
      `FennFlow (scope '${scope}'): 'backend' must be a backend config such as new InMemoryBackendConfig(), new SqliteBackendConfig({ filename }) or new PostgresBackendConfig({ connectionString }).`,
    );
  }
  if (backend.scope !== scope) {
    throw new ConfigurationError(
      `FennFlow: forRootAsync was registered with scope '${scope}' but its factory returned a backend of scope '${backend.scope}'; set the same scope in both places.`,
    );
  }
  const connector = candidate?.connector;
  if (
    connector !== undefined &&
    (connector === null || typeof connector.create !== 'function')
  ) {
    throw new ConfigurationError(
      `FennFlow (scope '${scope}'): 'connector' must be a connector config such as new FileSystemConnectorConfig({ root }) or new S3ConnectorConfig({ region }).`,
    );
  }
  if (candidate?.reconcile !== undefined)
    ReconcileConfig.from(candidate.reconcile);
  return candidate as FennFlowModuleOptions;
}
