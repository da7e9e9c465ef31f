import type {
  BackendConfig,
  FennFlowBackend,
} from '../../core/backend/fennflow-backend';
import { InMemoryBackend } from './in-memory.backend';

export interface InMemoryBackendOptions {
  /** Label that isolates one set of metadata; modules with the same scope share it. */
  readonly scope?: string;
}

/** The default backend: metadata in process memory, shared by every module of the same scope. */
export class InMemoryBackendConfig implements BackendConfig {
  readonly kind = 'in-memory';
  readonly scope: string;

  constructor(options: InMemoryBackendOptions = {}) {
    this.scope = options.scope ?? 'default';
  }

  async create(): Promise<FennFlowBackend> {
    return new InMemoryBackend(this.scope);
  }
}
