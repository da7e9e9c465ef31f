import type { FileRecord, OperationType } from '../backend/file-record';

/**
 * The row left for a path that had none before a session, once the session's work on it is
 * undone: invisible and unlocked, it tells which session tried what (status `failed`).
 */
export function failedRecord(
  step: {
    readonly namespace: string;
    readonly path: string;
    readonly operationId: string;
    readonly operation: OperationType;
  },
  sessionId: string,
  now: Date,
  error: string,
): FileRecord {
  return {
    namespace: step.namespace,
    path: step.path,
    status: 'failed',
    sessionId,
    operationId: step.operationId,
    operation: step.operation,
    lockedBy: null,
    size: null,
    mediaType: null,
    etag: null,
    metadata: {},
    createdAt: now,
    updatedAt: now,
    error,
  };
}
