import { ConfigurationError } from '../core/errors/fennflow.errors';
import type { UnitOfWorkHost } from '../core/unit-of-work/unit-of-work-host';

/**
 * The host of each scope, filled when Nest creates its provider, so @WithUnitOfWork reaches it
 * without the decorated class injecting anything (as nestjs-cls's TransactionHost.getInstance).
 * A later registration of the same scope (another app in the same process) replaces it.
 */
const hosts = new Map<string, UnitOfWorkHost>();

export function registerUnitOfWorkHost(
  scope: string,
  host: UnitOfWorkHost,
): void {
  hosts.set(scope, host);
}

export function unitOfWorkHostOf(scope: string): UnitOfWorkHost {
  const host = hosts.get(scope);
  if (!host) {
    throw new ConfigurationError(
      `@WithUnitOfWork: FennFlow scope '${scope}' has no unit of work host. Import FennFlowModule.forRoot(...) or forRootAsync(...) with this scope, and call the method after the Nest application is created.`,
    );
  }
  return host;
}
