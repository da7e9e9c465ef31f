import { FennFlowBackend } from '../core/backend/fennflow-backend';
import { FennFlowConnector } from '../core/connector/fennflow-connector';
import { UnitOfWorkFactory } from '../core/unit-of-work/unit-of-work.factory';
import { UnitOfWorkHost } from '../core/unit-of-work/unit-of-work-host';
import { RecoveryService } from './recovery.service';
import { Reconciler } from '../core/reconcile/reconciler';
import { GarbageCollector } from '../core/gc/garbage-collector';

export const DEFAULT_SCOPE = 'default';

type Token = string | (abstract new (...args: never[]) => unknown);

/**
 * As @nestjs/typeorm's getDataSourceToken: the default scope maps to the class, so injection by
 * type works without a decorator; any other scope to a readable string such as
 * `FennFlowBackend_archive`.
 */
function tokenFor(classToken: Token & { name: string }, scope: string): Token {
  return scope === DEFAULT_SCOPE ? classToken : `${classToken.name}_${scope}`;
}

export function getBackendToken(scope: string = DEFAULT_SCOPE): Token {
  return tokenFor(FennFlowBackend, scope);
}

export function getConnectorToken(scope: string = DEFAULT_SCOPE): Token {
  return tokenFor(FennFlowConnector, scope);
}

export function getUnitOfWorkFactoryToken(
  scope: string = DEFAULT_SCOPE,
): Token {
  return tokenFor(UnitOfWorkFactory, scope);
}

export function getUnitOfWorkHostToken(scope: string = DEFAULT_SCOPE): Token {
  return scope === DEFAULT_SCOPE ? UnitOfWorkHost : `UnitOfWorkHost_${scope}`;
}

/** Internal: the resolved module options of one scope. */
export function getFennFlowOptionsToken(scope: string = DEFAULT_SCOPE): string {
  return `FennFlowModuleOptions_${scope}`;
}

export function getRecoveryServiceToken(scope: string = DEFAULT_SCOPE): Token {
  return scope === DEFAULT_SCOPE ? RecoveryService : `RecoveryService_${scope}`;
}

export function getReconcilerToken(scope: string = DEFAULT_SCOPE): Token {
  return tokenFor(Reconciler, scope);
}

export function getGarbageCollectorToken(scope: string = DEFAULT_SCOPE): Token {
  return tokenFor(GarbageCollector, scope);
}

export function getLifecycleToken(scope: string = DEFAULT_SCOPE): string {
  return `FennFlowLifecycle_${scope}`;
}
