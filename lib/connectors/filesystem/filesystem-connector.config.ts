import { resolve } from 'node:path';
import type {
  ConnectorConfig,
  FennFlowConnector,
} from '../../core/connector/fennflow-connector';
import { ConfigurationError } from '../../core/errors/fennflow.errors';
import { FileSystemConnector } from './filesystem.connector';

export interface FileSystemConnectorOptions {
  /** Folder holding one subfolder per namespace; relative paths resolve against the cwd. */
  readonly root: string;
}

export class FileSystemConnectorConfig implements ConnectorConfig {
  readonly kind = 'filesystem';

  constructor(private readonly options: FileSystemConnectorOptions) {
    const root: unknown = options?.root;
    if (typeof root !== 'string' || root.trim() === '') {
      throw new ConfigurationError(
        'FileSystemConnectorConfig needs a root folder: new FileSystemConnectorConfig({ root: "./data" }).',
      );
    }
    if (root.includes('\0')) {
      throw new ConfigurationError(
        `The filesystem connector root ${JSON.stringify(root)} contains a NUL character.`,
      );
    }
  }

  async create(): Promise<FennFlowConnector> {
    return new FileSystemConnector(resolve(this.options.root));
  }
}
