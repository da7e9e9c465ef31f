import { DynamicModule, Module, Provider } from '@nestjs/common';
import type { BackendConfig } from '../core/backend/fennflow-backend';
import type { UnitOfWork } from '../core/unit-of-work/unit-of-work';
import type {
  FennFlowModuleAsyncOptions,
  FennFlowModuleOptions,
  FennFlowOptions,
  FennFlowOptionsFactory,
} from './fennflow-options.interface';
import {
  assertModuleOptions,
  createScopeProviders,
} from './fennflow.providers';
import {
  DEFAULT_SCOPE,
  getBackendToken,
  getConnectorToken,
  getFennFlowOptionsToken,
  getRecoveryServiceToken,
  getReconcilerToken,
  getGarbageCollectorToken,
  getUnitOfWorkFactoryToken,
  getUnitOfWorkHostToken,
} from './fennflow.tokens';

export interface FennFlowRootOptions<
  T extends UnitOfWork = UnitOfWork,
> extends FennFlowOptions<T> {
  /** Default `true`: the providers are visible to every module. */
  readonly isGlobal?: boolean;
}

/**
 * `FennFlowModule.forRoot(new InMemoryBackendConfig(), { connector, unitOfWork })` registers one
 * scope (the backend's): its backend, connector and UnitOfWorkFactory. Register several scopes
 * with several calls.
 */
@Module({})
export class FennFlowModule {
  static forRoot<T extends UnitOfWork = UnitOfWork>(
    backend: BackendConfig,
    options: FennFlowRootOptions<T> = {},
  ): DynamicModule {
    const scope = backend?.scope ?? DEFAULT_SCOPE;
    const { isGlobal = true, ...rest } = options;
    const moduleOptions = assertModuleOptions({ ...rest, backend }, scope);
    return this.assemble(scope, isGlobal, [
      { provide: getFennFlowOptionsToken(scope), useValue: moduleOptions },
    ]);
  }

  static forRootAsync(options: FennFlowModuleAsyncOptions): DynamicModule {
    const scope = options.scope ?? DEFAULT_SCOPE;
    return this.assemble(
      scope,
      options.isGlobal ?? true,
      [
        ...this.createAsyncOptionsProviders(scope, options),
        ...(options.extraProviders ?? []),
      ],
      options.imports ?? [],
    );
  }

  private static assemble(
    scope: string,
    isGlobal: boolean,
    optionProviders: Provider[],
    imports: DynamicModule['imports'] = [],
  ): DynamicModule {
    return {
      module: FennFlowModule,
      global: isGlobal,
      imports,
      providers: [...optionProviders, ...createScopeProviders(scope)],
      exports: [
        getBackendToken(scope),
        getConnectorToken(scope),
        getUnitOfWorkFactoryToken(scope),
        getRecoveryServiceToken(scope),
        getReconcilerToken(scope),
        getGarbageCollectorToken(scope),
        getUnitOfWorkHostToken(scope),
      ],
    };
  }

  private static createAsyncOptionsProviders(
    scope: string,
    options: FennFlowModuleAsyncOptions,
  ): Provider[] {
    const token = getFennFlowOptionsToken(scope);
    if (options.useFactory) {
      const factory = options.useFactory as (
        ...args: unknown[]
      ) => Promise<FennFlowModuleOptions>;
      return [
        {
          provide: token,
          inject: options.inject ?? [],
          useFactory: async (...args: unknown[]) =>
            assertModuleOptions(await factory(...args), scope),
        },
      ];
    }
    const optionsClass = options.useClass ?? options.useExisting;
    if (!optionsClass) {
      throw new TypeError(
        'FennFlowModule.forRootAsync needs one of useFactory, useClass or useExisting.',
      );
    }
    const fromClass: Provider = {
      provide: token,
      inject: [optionsClass],
      useFactory: async (factory: FennFlowOptionsFactory) =>
        assertModuleOptions(await factory.createFennFlowOptions(scope), scope),
    };
    return options.useClass
      ? [{ provide: options.useClass, useClass: options.useClass }, fromClass]
      : [fromClass];
  }
}
