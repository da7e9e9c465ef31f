import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { BackendConfig } from '../core/backend/fennflow-backend';
import type { ConnectorConfig } from '../core/connector/fennflow-connector';
import type { UnitOfWorkClass } from '../core/unit-of-work/unit-of-work';
import { InMemoryBackendConfig } from '../backends/in-memory/in-memory-backend.config';
import { PostgresBackendConfig } from '../backends/postgres/postgres-backend.config';
import { SqliteBackendConfig } from '../backends/sqlite/sqlite-backend.config';
import { FileSystemConnectorConfig } from '../connectors/filesystem/filesystem-connector.config';
import { InMemoryConnectorConfig } from '../connectors/in-memory/in-memory-connector.config';
import type { CliOptions } from './cli-options';
import { UsageError } from './usage-error';

/** What `fennflow.config.js` exports (or a function returning it, possibly async). */
export interface FennFlowCliConfig {
  readonly backend: BackendConfig;
  /** Default: the in-memory connector (only useful within one process). */
  readonly connector?: ConnectorConfig;
  /** Namespaces to reconcile and collect; or give `unitOfWork` to take its repositories'. */
  readonly namespaces?: readonly string[];
  readonly unitOfWork?: UnitOfWorkClass;
}

export interface ResolvedCliConfig {
  readonly source: string;
  readonly backend: BackendConfig;
  readonly connector: ConnectorConfig;
  readonly namespaces: readonly string[];
  readonly unitOfWork: UnitOfWorkClass | null;
}

export const DEFAULT_CONFIG_FILES = [
  'fennflow.config.js',
  'fennflow.config.cjs',
  'fennflow.config.ts',
];

/** Reads the config file (or flags alone) and checks its shape; every mistake is a one-line UsageError. */
export async function loadCliConfig(
  options: CliOptions,
  cwd = process.cwd(),
): Promise<ResolvedCliConfig> {
  let file: string | null = null;
  if (options.config !== undefined) {
    file = resolve(cwd, options.config);
    if (!existsSync(file)) {
      throw new UsageError(`Config file ${options.config} not found.`);
    }
  } else if (options.backend === undefined) {
    file =
      DEFAULT_CONFIG_FILES.map((name) => resolve(cwd, name)).find((f) =>
        existsSync(f),
      ) ?? null;
    if (!file) {
      throw new UsageError(
        'No configuration: create fennflow.config.js exporting { backend, connector, namespaces }, or pass --backend (see fennflow --help).',
      );
    }
  }
  const source = file ?? 'command-line flags';
  const loaded = file ? await readConfigFile(file) : {};
  const where = file ? `${source}:` : 'Flags:';

  const backend =
    options.backend !== undefined
      ? backendFromFlag(options.backend, options.scope, cwd)
      : loaded.backend;
  if (!isRecipe(backend) || typeof backend.scope !== 'string') {
    throw new UsageError(
      `${where} 'backend' must be a backend config, e.g. new SqliteBackendConfig({ filename: './fennflow.db' }); got ${describe(backend)}.`,
    );
  }
  const connector =
    options.connector !== undefined
      ? connectorFromFlag(options.connector, cwd)
      : (loaded.connector ?? new InMemoryConnectorConfig());
  if (!isRecipe(connector)) {
    throw new UsageError(
      `${where} 'connector' must be a connector config, e.g. new FileSystemConnectorConfig({ root: './data' }); got ${describe(connector)}.`,
    );
  }
  const namespaces: unknown = options.namespace ?? loaded.namespaces ?? [];
  if (
    !Array.isArray(namespaces) ||
    namespaces.some((n) => typeof n !== 'string')
  ) {
    throw new UsageError(
      `${where} 'namespaces' must be an array of strings, e.g. ['avatars', 'reports']; got ${describe(namespaces)}.`,
    );
  }
  const unitOfWork = loaded.unitOfWork ?? null;
  if (unitOfWork !== null && typeof unitOfWork !== 'function') {
    throw new UsageError(
      `${where} 'unitOfWork' must be your UnitOfWork subclass; got ${describe(unitOfWork)}.`,
    );
  }
  return {
    source,
    backend,
    connector,
    namespaces: namespaces as string[],
    unitOfWork: unitOfWork as UnitOfWorkClass | null,
  };
}

async function readConfigFile(
  file: string,
): Promise<Partial<Record<keyof FennFlowCliConfig, unknown>>> {
  const extension = extname(file);
  if (extension === '.ts' || extension === '.mts' || extension === '.cts') {
    registerTsNode(file);
  } else if (extension !== '.js' && extension !== '.cjs') {
    throw new UsageError(
      `${file}: use a .js, .cjs or .ts config file (got '${extension}').`,
    );
  }
  let exported: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- config files are CommonJS, loaded at run time
    exported = require(file) as unknown;
  } catch (error) {
    throw new UsageError(`Could not load ${file}: ${firstLine(error)}`);
  }
  if (
    typeof exported === 'object' &&
    exported !== null &&
    'default' in exported
  ) {
    exported = (exported as { default: unknown }).default;
  }
  if (typeof exported === 'function') {
    try {
      exported = await (exported as () => unknown)();
    } catch (error) {
      throw new UsageError(
        `The function exported by ${file} threw: ${firstLine(error)}`,
      );
    }
  }
  if (typeof exported !== 'object' || exported === null) {
    throw new UsageError(
      `${file} must export { backend, connector, namespaces } (module.exports = {...}); got ${describe(exported)}.`,
    );
  }
  return exported as Partial<Record<keyof FennFlowCliConfig, unknown>>;
}

/** TypeScript configs load through ts-node when the project has it; nothing is bundled for that. */
function registerTsNode(file: string): void {
  let tsNodePath: string;
  try {
    tsNodePath = require.resolve('ts-node', {
      paths: [process.cwd(), __dirname],
    });
  } catch {
    throw new UsageError(
      `${file} is TypeScript: install ts-node (npm i -D ts-node) or write fennflow.config.js instead.`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional, resolved from the user's project
  const tsNode = require(tsNodePath) as {
    register(options: object): unknown;
  };
  tsNode.register({
    transpileOnly: true,
    compilerOptions: { module: 'commonjs' },
  });
}

function backendFromFlag(
  value: string,
  scope: string | undefined,
  cwd: string,
): BackendConfig {
  if (value === 'memory' || value === 'in-memory') {
    return new InMemoryBackendConfig({ scope });
  }
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) {
    return new PostgresBackendConfig({ connectionString: value, scope });
  }
  const sqlite = /^sqlite:(.+)$/.exec(value);
  if (sqlite) {
    return new SqliteBackendConfig({
      filename: resolve(cwd, sqlite[1]),
      scope,
    });
  }
  throw new UsageError(
    `--backend expects sqlite:<file>, postgres://<url> or memory, got '${value}'.`,
  );
}

function connectorFromFlag(value: string, cwd: string): ConnectorConfig {
  if (value === 'memory' || value === 'in-memory') {
    return new InMemoryConnectorConfig();
  }
  const fs = /^(?:fs|filesystem):(.+)$/.exec(value);
  if (fs) return new FileSystemConnectorConfig({ root: resolve(cwd, fs[1]) });
  throw new UsageError(
    `--connector expects filesystem:<root folder> or memory, got '${value}' (S3 needs a config file).`,
  );
}

function isRecipe(value: unknown): value is BackendConfig & ConnectorConfig {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { create?: unknown }).create === 'function'
  );
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'a plain object';
  }
  return `${typeof value} ${JSON.stringify(value)}`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}
