import type { FennFlowConnector } from '../connector/fennflow-connector';
import type { FennFlowLogger } from './fennflow-logger';

/**
 * Removes leftovers (backups, deferred deletes) after the metadata already moved on. A failure
 * here is logged, never thrown: what remains is garbage for the collector, not lost data.
 */
export async function removeObjectsQuietly(
  connector: FennFlowConnector,
  objects: readonly { namespace: string; key: string }[],
  logger: FennFlowLogger,
): Promise<boolean> {
  const byNamespace = new Map<string, string[]>();
  for (const { namespace, key } of objects) {
    const keys = byNamespace.get(namespace) ?? [];
    keys.push(key);
    byNamespace.set(namespace, keys);
  }
  let complete = true;
  for (const [namespace, keys] of byNamespace) {
    try {
      await connector.deleteObjects(namespace, [...new Set(keys)]);
    } catch (error) {
      complete = false;
      const message = error instanceof Error ? error.message : String(error);
      logger.warn(
        `Cleanup of ${keys.length} object(s) in '${namespace}' failed, left for garbage collection: ${message}`,
      );
    }
  }
  return complete;
}
