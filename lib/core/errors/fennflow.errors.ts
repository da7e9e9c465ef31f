/**
 * Every error FennFlow throws is a FennFlowError with a stable `code`, so callers can
 * branch on `err.code` without depending on class identity across package copies.
 */
export abstract class FennFlowError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class RecordAlreadyExistsError extends FennFlowError {
  readonly code = 'E_FENNFLOW_RECORD_ALREADY_EXISTS';
  constructor(
    readonly namespace: string,
    readonly path: string,
  ) {
    super(`A file already exists at '${path}' in namespace '${namespace}'.`);
  }
}

export class RecordLockedError extends FennFlowError {
  readonly code = 'E_FENNFLOW_RECORD_LOCKED';
  constructor(
    readonly namespace: string,
    readonly path: string,
    readonly lockedBy: string,
  ) {
    super(
      `'${path}' in namespace '${namespace}' is locked by another unit of work (${lockedBy}) that has pending work on it; try again after it commits or rolls back.`,
    );
  }
}

export class FileNotFoundError extends FennFlowError {
  readonly code = 'E_FENNFLOW_FILE_NOT_FOUND';
  constructor(
    readonly namespace: string,
    readonly path: string,
  ) {
    super(`No file at '${path}' in namespace '${namespace}'.`);
  }
}

export class DuplicatePathError extends FennFlowError {
  readonly code = 'E_FENNFLOW_DUPLICATE_PATH';
  constructor(readonly path: string) {
    super(
      `The path '${path}' appears more than once in one call; each file of a call needs its own path.`,
    );
  }
}

export class InvalidPathError extends FennFlowError {
  readonly code = 'E_FENNFLOW_INVALID_PATH';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Invalid storage path ${JSON.stringify(path)}: ${reason}.`);
  }
}

export class InvalidNamespaceError extends FennFlowError {
  readonly code = 'E_FENNFLOW_INVALID_NAMESPACE';
  constructor(
    readonly namespace: string,
    readonly reason: string,
  ) {
    super(`Invalid namespace ${JSON.stringify(namespace)}: ${reason}.`);
  }
}

export interface CompensationFailure {
  readonly operationId: string;
  readonly operation: string;
  readonly namespace: string;
  readonly path: string;
  readonly cause: unknown;
}

export class CompensationFailedError extends FennFlowError {
  readonly code = 'E_FENNFLOW_COMPENSATION_FAILED';
  constructor(
    readonly failures: readonly CompensationFailure[],
    options?: { cause?: unknown },
  ) {
    super(
      `Rollback could not undo ${failures.length} step(s): ${failures
        .map(
          (f) =>
            `${f.operation} '${f.path}' in '${f.namespace}' (${describeCause(f.cause)})`,
        )
        .join(
          '; ',
        )}. The affected records are marked compensation_failed and their backups are kept.`,
      options,
    );
  }
}

export class CommitFailedError extends FennFlowError {
  readonly code = 'E_FENNFLOW_COMMIT_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class ConnectorCapabilityError extends FennFlowError {
  readonly code = 'E_FENNFLOW_CONNECTOR_CAPABILITY';
  constructor(
    readonly connector: string,
    readonly capability: string,
  ) {
    super(`The ${connector} connector cannot ${capability}.`);
  }
}

export class NoSuchKeyError extends FennFlowError {
  readonly code = 'E_FENNFLOW_NO_SUCH_KEY';
  constructor(
    readonly namespace: string,
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`No object '${key}' in namespace '${namespace}'.`, options);
  }
}

/** A storage call failed for a reason other than a missing key (access denied, network, disk). */
export class StorageError extends FennFlowError {
  readonly code = 'E_FENNFLOW_STORAGE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A metadata backend call failed (connection lost, constraint, driver error). */
export class BackendError extends FennFlowError {
  readonly code = 'E_FENNFLOW_BACKEND';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class ContentTypeError extends FennFlowError {
  readonly code = 'E_FENNFLOW_CONTENT_TYPE';
  constructor(message: string) {
    super(message);
  }
}

export class ConfigurationError extends FennFlowError {
  readonly code = 'E_FENNFLOW_CONFIGURATION';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The unit of work was used after its factory shut down, or closed while in use. */
export class UnitOfWorkClosedError extends FennFlowError {
  readonly code = 'E_FENNFLOW_UNIT_OF_WORK_CLOSED';
  constructor(message: string) {
    super(message);
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** Raised by a connector when `ifNoneMatch` finds an object already at the key. */
export class ObjectAlreadyExistsError extends FennFlowError {
  readonly code = 'E_FENNFLOW_OBJECT_ALREADY_EXISTS';
  constructor(
    readonly namespace: string,
    readonly key: string,
  ) {
    super(`An object already exists at '${key}' in namespace '${namespace}'.`);
  }
}

/** An option or argument outside what the operation accepts (a limit of 0, a bad cursor). */
export class InvalidArgumentError extends FennFlowError {
  readonly code = 'E_FENNFLOW_INVALID_ARGUMENT';
  constructor(message: string) {
    super(message);
  }
}

/** `host.current`, or a `Propagation.Mandatory` run, found no unit of work in the async context. */
export class UnitOfWorkNotActiveError extends FennFlowError {
  readonly code = 'E_FENNFLOW_UNIT_OF_WORK_NOT_ACTIVE';
  constructor(message: string) {
    super(message);
  }
}

/** A `Propagation.Never` run found a unit of work active in the async context. */
export class UnitOfWorkAlreadyActiveError extends FennFlowError {
  readonly code = 'E_FENNFLOW_UNIT_OF_WORK_ALREADY_ACTIVE';
  constructor(message: string) {
    super(message);
  }
}
