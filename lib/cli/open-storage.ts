import type { FennFlowBackend } from '../core/backend/fennflow-backend';
import type { FennFlowConnector } from '../core/connector/fennflow-connector';
import { validateNamespace } from '../core/paths/namespace';
import { UnitOfWorkFactory } from '../core/unit-of-work/unit-of-work.factory';
import type { CliContext } from './cli-command';
import { loadCliConfig } from './load-config';
import { UsageError } from './usage-error';

export interface OpenStorage {
  readonly backend: FennFlowBackend;
  readonly connector: FennFlowConnector;
  /** From `--namespace`, the config's `namespaces`, or its `unitOfWork`'s repositories. */
  readonly namespaces: readonly string[];
  close(): Promise<void>;
}

/** Loads the config, then opens its backend and connector; the caller must `close()`. */
export async function openStorage(
  context: CliContext,
  { needNamespaces }: { needNamespaces: boolean },
): Promise<OpenStorage> {
  const config = await loadCliConfig(context.options, context.cwd);
  for (const namespace of config.namespaces) validateNamespace(namespace);
  const backend = await config.backend.create();
  await backend.open();
  let connector: FennFlowConnector | null = null;
  try {
    connector = await config.connector.create({ scope: backend.scope });
    await connector.open();
    let namespaces = config.namespaces;
    if (namespaces.length === 0 && config.unitOfWork) {
      namespaces = new UnitOfWorkFactory({
        backend,
        connector,
        unitOfWork: config.unitOfWork,
        logger: context.logger,
      }).namespaces;
    }
    if (needNamespaces && namespaces.length === 0) {
      throw new UsageError(
        `${config.source}: no namespaces; add namespaces: ['avatars', ...] (or unitOfWork) to the config, or pass --namespace.`,
      );
    }
    const opened = connector;
    return {
      backend,
      connector: opened,
      namespaces,
      close: async () => {
        await opened.close();
        await backend.close();
      },
    };
  } catch (error) {
    await connector?.close().catch(() => {});
    await backend.close().catch(() => {});
    throw error;
  }
}
