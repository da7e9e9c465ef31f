import type { PathTemplate } from '../paths/path-template';
import {
  asFolder,
  joinPath,
  renderPathArgument,
  resolveFilePath,
  validatePath,
} from '../paths/storage-path';
import { REPOSITORY_CONTEXT, RepositoryContext } from './repository-context';

/**
 * A view of one namespace at one folder. Capabilities add the operations; `at()` moves deeper
 * and returns a new repository of the same kind, leaving this one untouched.
 */
export class RepositoryBase {
  declare readonly [REPOSITORY_CONTEXT]: RepositoryContext;

  constructor(context: RepositoryContext) {
    Object.defineProperty(this, REPOSITORY_CONTEXT, {
      value: context,
      enumerable: false,
    });
  }

  get namespace(): string {
    return this[REPOSITORY_CONTEXT].namespace;
  }

  /** The folder this repository writes to, with a trailing `/` (`''` at the namespace root). */
  get cwd(): string {
    return asFolder(this[REPOSITORY_CONTEXT].folder);
  }

  at(path: string | PathTemplate): this {
    const rendered = renderPathArgument(path, 'at()');
    const context = this[REPOSITORY_CONTEXT];
    const folder = validatePath(joinPath(context.folder, rendered), {
      allowEmpty: true,
    });
    const Kind = this.constructor as new (context: RepositoryContext) => this;
    return new Kind({ ...context, folder });
  }
}

export function contextOf(repository: RepositoryBase): RepositoryContext {
  return repository[REPOSITORY_CONTEXT];
}

/** A path given to an operation, resolved against the repository's folder and checked. */
export function resolveIn(repository: RepositoryBase, path: string): string {
  const context = contextOf(repository);
  const resolved = resolveFilePath(context.folder, path);
  context.connector.validateKey(context.namespace, resolved);
  return resolved;
}
