import type {
  ConnectorConfig,
  FennFlowConnector,
} from '../../core/connector/fennflow-connector';
import { InMemoryConnector } from './in-memory.connector';

export interface InMemoryConnectorOptions {
  /** Name of the process-wide object store; defaults to the backend's scope. */
  readonly store?: string;
}

export class InMemoryConnectorConfig implements ConnectorConfig {
  readonly kind = 'in-memory';

  constructor(private readonly options: InMemoryConnectorOptions = {}) {}

  async create(context: { scope: string }): Promise<FennFlowConnector> {
    return new InMemoryConnector(this.options.store ?? context.scope);
  }
}
