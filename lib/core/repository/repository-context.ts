import type { FennFlowConnector } from '../connector/fennflow-connector';
import type { SagaSession } from '../unit-of-work/saga-session';

/** What a repository needs from its unit of work; hidden from users behind a symbol. */
export interface RepositoryContext {
  readonly namespace: string;
  /** Normalised folder, '' at the root. */
  readonly folder: string;
  /** The open session; throws when used on a unit of work that is not open. */
  session(): SagaSession;
  readonly connector: FennFlowConnector;
}

export const REPOSITORY_CONTEXT: unique symbol = Symbol('fennflow.repository');
