import type { FennFlowConnector } from '../connector/fennflow-connector';
import { UnitOfWorkClosedError } from '../errors/fennflow.errors';
import { validateNamespace } from '../paths/namespace';
import type { RepositoryClass } from '../repository/define-repository';
import type { RepositoryBase } from '../repository/repository.base';
import type { SagaSession } from './saga-session';

/** Handed to every UnitOfWork constructor by its factory; subclasses must not add parameters. */
export interface UnitOfWorkContext {
  readonly connector: FennFlowConnector;
  /** Absent while the factory inspects the class for its namespaces. */
  readonly session?: SagaSession;
}

export interface RepositoryOptions {
  /** Bucket (S3), top folder (filesystem) or store (in-memory); S3 bucket-name rules. */
  readonly namespace: string;
}

const UNIT_OF_WORK_CONTEXT: unique symbol = Symbol('fennflow.unitOfWork');
const declaredNamespaces = new WeakMap<UnitOfWork, Set<string>>();

/**
 * One saga over object storage. Declare repositories as fields of a subclass:
 *
 *     class AppUnitOfWork extends UnitOfWork {
 *       readonly avatars = this.repository(CrudRepository, { namespace: 'avatars' });
 *     }
 *
 * Every write is recorded before it touches storage; `commit()` makes the session's work visible
 * to everyone at once, `rollback()` undoes it in reverse order. After either, the unit of work
 * stays usable for a next segment; `close()` rolls back whatever is not committed.
 */
export class UnitOfWork {
  private readonly [UNIT_OF_WORK_CONTEXT]: UnitOfWorkContext;

  constructor(context: UnitOfWorkContext) {
    this[UNIT_OF_WORK_CONTEXT] = context;
    declaredNamespaces.set(this, new Set());
  }

  /** The session id: it owns this unit of work's pending records and backups. */
  get id(): string {
    return this.session().id;
  }

  protected repository<R extends RepositoryBase>(
    kind: RepositoryClass<R>,
    options: RepositoryOptions,
  ): R {
    const namespace = validateNamespace(options.namespace);
    declaredNamespaces.get(this)?.add(namespace);
    return new kind({
      namespace,
      folder: '',
      connector: this[UNIT_OF_WORK_CONTEXT].connector,
      session: () => this.session(),
    });
  }

  commit(): Promise<void> {
    return this.session().commit();
  }

  rollback(): Promise<void> {
    return this.session().rollback();
  }

  close(): Promise<void> {
    return this.session().close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private session(): SagaSession {
    const session = this[UNIT_OF_WORK_CONTEXT].session;
    if (!session) {
      throw new UnitOfWorkClosedError(
        'This unit of work was not opened by a factory; use factory.run() or factory.begin().',
      );
    }
    return session;
  }
}

/** The namespaces a unit of work declared, inherited fields included. */
export function namespacesOf(unitOfWork: UnitOfWork): string[] {
  return [...(declaredNamespaces.get(unitOfWork) ?? [])];
}

export function sessionOf(unitOfWork: UnitOfWork): SagaSession | undefined {
  return unitOfWork[UNIT_OF_WORK_CONTEXT].session;
}

export type UnitOfWorkClass<T extends UnitOfWork = UnitOfWork> = new (
  context: UnitOfWorkContext,
) => T;
