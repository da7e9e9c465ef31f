import { FennFlowError, StorageError } from '../../core/errors/fennflow.errors';

export function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** `ENOENT`/`ENOTDIR`: nothing at the path, or a file where a folder was expected. */
export function isMissing(error: unknown): boolean {
  const code = errnoOf(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Wraps a filesystem failure as a StorageError with the original as `cause`. */
export function toStorageError(
  error: unknown,
  action: string,
  namespace: string,
  key: string,
): FennFlowError {
  if (error instanceof FennFlowError) return error;
  const code = errnoOf(error);
  const where = `'${key}' in namespace '${namespace}'`;
  if (code === 'EACCES' || code === 'EPERM') {
    return new StorageError(
      `Permission denied (${code}) while ${action} ${where} on the filesystem.`,
      { cause: error },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new StorageError(
    `Filesystem error while ${action} ${where}: ${reason}`,
    { cause: error },
  );
}

/** A key and a folder of other keys would need the same name on disk. */
export function fileFolderConflict(
  namespace: string,
  key: string,
  detail: string,
  cause?: unknown,
): StorageError {
  return new StorageError(
    `Cannot store '${key}' in namespace '${namespace}': ${detail}. A filesystem cannot hold a file and a folder under the same name, so the filesystem connector cannot store both 'x' and 'x/...'.`,
    { cause },
  );
}
