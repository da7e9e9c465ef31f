import { createHash } from 'node:crypto';
import { MAX_KEY_BYTES, RESERVED_PREFIX } from '../paths/storage-path';

/**
 * `fennflow/tmp/session_id_<S>/operation_id_<O>/<path>`, in the file's own namespace. A path too
 * long to fit under the key limit is replaced by its SHA-256, so every valid path has a backup.
 */
export function backupPathFor(
  sessionId: string,
  operationId: string,
  path: string,
): string {
  const folder = `${RESERVED_PREFIX}session_id_${sessionId}/operation_id_${operationId}/`;
  const full = folder + path;
  if (Buffer.byteLength(full, 'utf8') <= MAX_KEY_BYTES) return full;
  return folder + createHash('sha256').update(path).digest('hex');
}
