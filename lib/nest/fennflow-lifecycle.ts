import {
  BeforeApplicationShutdown,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { FennFlowBackend } from '../core/backend/fennflow-backend';
import type { FennFlowConnector } from '../core/connector/fennflow-connector';
import type { UnitOfWorkFactory } from '../core/unit-of-work/unit-of-work.factory';
import type { RecoveryService } from './recovery.service';

/**
 * Closes one scope in order on `app.close()`: open units of work finish (or are rolled back
 * after the timeout) before storage and then the backend are closed, so no in-flight saga
 * loses the resources it compensates with.
 */
export class FennFlowLifecycle
  implements BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('FennFlow');

  constructor(
    private readonly scope: string,
    private readonly factory: UnitOfWorkFactory,
    private readonly connector: FennFlowConnector,
    private readonly backend: FennFlowBackend,
    private readonly shutdownTimeoutMs: number,
    private readonly recovery: RecoveryService,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.recovery.stop();
    await this.factory.shutdown(this.shutdownTimeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.closeQuietly('connector', () => this.connector.close());
    await this.closeQuietly('backend', () => this.backend.close());
  }

  private async closeQuietly(
    what: string,
    close: () => Promise<void>,
  ): Promise<void> {
    try {
      await close();
    } catch (error) {
      this.logger.error(
        `Closing the ${what} of scope '${this.scope}' failed: ${String(error)}`,
      );
    }
  }
}
