export * from './errors/fennflow.errors';
export * from './content';
export type { PathTemplate } from './paths/path-template';
export { MAX_KEY_BYTES, RESERVED_PREFIX } from './paths/storage-path';
export { validateNamespace } from './paths/namespace';
export * from './backend/file-record';
export type {
  JournalEntry,
  JournalState,
  StorageRestore,
} from './backend/journal-entry';
export type { SessionRecord, SessionState } from './backend/session-record';
export * from './backend/fennflow-backend';
export { comparePaths } from './backend/compare-paths';
export * from './connector/fennflow-connector';
export * from './repository/capabilities';
export { capability } from './repository/capability';
export type { Capability } from './repository/capability';
export { defineRepository } from './repository/define-repository';
export type {
  Repository,
  RepositoryClass,
} from './repository/define-repository';
export { RepositoryBase } from './repository/repository.base';
export * from './repository/repository-results';
export { UnitOfWork, namespacesOf } from './unit-of-work/unit-of-work';
export type {
  RepositoryOptions,
  UnitOfWorkClass,
  UnitOfWorkContext,
} from './unit-of-work/unit-of-work';
export { UnitOfWorkFactory } from './unit-of-work/unit-of-work.factory';
export type {
  BeginOptions,
  UnitOfWorkFactoryOptions,
} from './unit-of-work/unit-of-work.factory';
export { UnitOfWorkHost } from './unit-of-work/unit-of-work-host';
export { Propagation } from './unit-of-work/propagation';
export type { FennFlowLogger } from './unit-of-work/fennflow-logger';
export { silentLogger } from './unit-of-work/fennflow-logger';
export type { RecoveryResult } from './unit-of-work/recover-session';
