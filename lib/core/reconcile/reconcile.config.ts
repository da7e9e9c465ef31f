import { ConfigurationError } from '../errors/fennflow.errors';

export const RECONCILE_FREQUENCIES = [
  'on-start-app',
  'on-session-start',
  'never',
] as const;
export const RECONCILE_STRATEGIES = [
  'fill-if-empty',
  'insert-missing',
  'replace',
] as const;

/** When the reconciler runs for a unit of work factory. */
export type ReconcileFrequency = (typeof RECONCILE_FREQUENCIES)[number];
/**
 * - `fill-if-empty`: import storage only when the scope holds no record at all;
 * - `insert-missing`: add rows for keys that have none, leave every existing row alone;
 * - `replace`: storage wins: listed keys become `uploaded`, rows of vanished objects `deleted`.
 */
export type ReconcileStrategy = (typeof RECONCILE_STRATEGIES)[number];

/** The plain object accepted by `ReconcileConfig` and by the module's `reconcile` option. */
export interface ReconcileOptions {
  /** Default `on-start-app`. */
  readonly frequency?: ReconcileFrequency;
  /** Default `fill-if-empty`. */
  readonly strategy?: ReconcileStrategy;
  /** Objects listed and rows written per backend transaction; default 1000. */
  readonly batchSize?: number;
}

export const DEFAULT_RECONCILE_BATCH_SIZE = 1000;
export const MAX_RECONCILE_BATCH_SIZE = 100_000;

/** Validated reconcile settings; throws ConfigurationError on unknown values. */
export class ReconcileConfig {
  readonly frequency: ReconcileFrequency;
  readonly strategy: ReconcileStrategy;
  readonly batchSize: number;

  constructor(options: ReconcileOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError(
        `Reconcile options must be an object such as { strategy: 'fill-if-empty' }, got ${String(options)}.`,
      );
    }
    this.frequency = oneOf(
      'frequency',
      options.frequency ?? 'on-start-app',
      RECONCILE_FREQUENCIES,
    );
    this.strategy = oneOf(
      'strategy',
      options.strategy ?? 'fill-if-empty',
      RECONCILE_STRATEGIES,
    );
    this.batchSize = validateBatchSize(
      options.batchSize ?? DEFAULT_RECONCILE_BATCH_SIZE,
    );
  }

  /** Accepts a config, a plain options object, or nothing (defaults). */
  static from(options?: ReconcileOptions | ReconcileConfig): ReconcileConfig {
    return options instanceof ReconcileConfig
      ? options
      : new ReconcileConfig(options);
  }
}

export function validateBatchSize(value: unknown): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > MAX_RECONCILE_BATCH_SIZE
  ) {
    throw new ConfigurationError(
      `Reconcile batchSize must be an integer from 1 to ${MAX_RECONCILE_BATCH_SIZE}, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function oneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (
    typeof value === 'string' &&
    (allowed as readonly string[]).includes(value)
  ) {
    return value as T;
  }
  throw new ConfigurationError(
    `Unknown reconcile ${name} ${JSON.stringify(value)}; use one of ${allowed.map((a) => `'${a}'`).join(', ')}.`,
  );
}
