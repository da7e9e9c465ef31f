import { randomUUID } from 'node:crypto';
import type { FennFlowBackend } from '../backend/fennflow-backend';
import type { FennFlowConnector } from '../connector/fennflow-connector';
import { validateNamespace } from '../paths/namespace';
import { validatePath } from '../paths/storage-path';
import { consoleLogger } from '../unit-of-work/fennflow-logger';
import type { FennFlowLogger } from '../unit-of-work/fennflow-logger';
import { BatchCounts, planReconcileBatch } from './reconcile-batch';
import {
  DEFAULT_RECONCILE_BATCH_SIZE,
  ReconcileConfig,
  ReconcileStrategy,
  validateBatchSize,
} from './reconcile.config';
import type {
  NamespaceReconcileReport,
  ReconcileProgress,
  ReconcileReport,
} from './reconcile-report';
import {
  committedRecords,
  JoinedEntry,
  mergeJoin,
  storageObjects,
} from './sorted-streams';

export interface ReconcilerOptions {
  readonly backend: FennFlowBackend;
  readonly connector: FennFlowConnector;
  /** Namespaces to reconcile, e.g. `factory.namespaces`. */
  readonly namespaces: readonly string[];
  readonly logger?: FennFlowLogger;
}

export interface ReconcileRunOptions {
  /** Default `fill-if-empty`. */
  readonly strategy?: ReconcileStrategy;
  /** Objects per listing page and per backend transaction; default 1000. */
  readonly batchSize?: number;
  /** Called after each batch with the running counts of the namespace being reconciled. */
  readonly onProgress?: (progress: ReconcileProgress) => void;
}

const LOG_INTERVAL_MS = 10_000;

/**
 * Rebuilds metadata from storage. Rows it writes are committed directly (`uploaded`, unlocked,
 * session `reconciler`), outside any saga, so no rollback can ever compensate them.
 *
 * Memory stays flat: storage and rows are read one page at a time and joined in key order.
 */
export class Reconciler {
  readonly namespaces: readonly string[];
  private readonly logger: FennFlowLogger;

  constructor(private readonly options: ReconcilerOptions) {
    this.namespaces = [...new Set(options.namespaces.map(validateNamespace))];
    this.logger = options.logger ?? consoleLogger;
  }

  async reconcile(options: ReconcileRunOptions = {}): Promise<ReconcileReport> {
    const strategy = new ReconcileConfig({ strategy: options.strategy })
      .strategy;
    const batchSize = validateBatchSize(
      options.batchSize ?? DEFAULT_RECONCILE_BATCH_SIZE,
    );
    const started = Date.now();
    // Listings start in a later millisecond than `started` (see BatchContext.startedAt).
    while (Date.now() === started) await new Promise((r) => setImmediate(r));

    if (
      strategy === 'fill-if-empty' &&
      !(await this.options.backend.isEmpty())
    ) {
      this.logger.log(
        `Reconcile (fill-if-empty) skipped: scope '${this.options.backend.scope}' already holds records.`,
      );
      return {
        strategy,
        skipped: 'not-empty',
        namespaces: [],
        durationMs: Date.now() - started,
      };
    }
    const reports: NamespaceReconcileReport[] = [];
    for (const namespace of this.namespaces) {
      reports.push(
        await this.reconcileNamespace(
          namespace,
          strategy,
          batchSize,
          started,
          options.onProgress,
        ),
      );
    }
    return {
      strategy,
      skipped: null,
      namespaces: reports,
      durationMs: Date.now() - started,
    };
  }

  private async reconcileNamespace(
    namespace: string,
    strategy: ReconcileStrategy,
    batchSize: number,
    startedAt: number,
    onProgress: ReconcileRunOptions['onProgress'],
  ): Promise<NamespaceReconcileReport> {
    const { backend, connector } = this.options;
    const begun = Date.now();
    let lastLog = begun;
    const report = {
      namespace,
      scanned: 0,
      inserted: 0,
      updated: 0,
      removed: 0,
      skippedLocked: 0,
      skippedInvalid: 0,
      unchanged: 0,
      batches: 0,
    };
    const objects = storageObjects(connector, namespace, batchSize);
    // Only `replace` needs the rows: the others never look past the keys they list.
    const records =
      strategy === 'replace'
        ? committedRecords(
            backend,
            namespace,
            batchSize,
            `reconcile-probe-${randomUUID()}`,
          )
        : null;

    let batch: JoinedEntry[] = [];
    let reported = -1;
    const emitProgress = (): void => {
      reported = report.scanned;
      onProgress?.({ ...report, elapsedMs: Date.now() - begun });
    };
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const entries = batch;
      batch = [];
      const counts: BatchCounts = await backend.stage(
        entries.map((e) => ({ namespace, path: e.key })),
        (snapshot) =>
          planReconcileBatch(entries, snapshot, {
            namespace,
            strategy,
            now: new Date(),
            startedAt,
          }),
      );
      report.inserted += counts.inserted;
      report.updated += counts.updated;
      report.removed += counts.removed;
      report.skippedLocked += counts.skippedLocked;
      report.unchanged += counts.unchanged;
      report.batches++;
      emitProgress();
      if (Date.now() - lastLog >= LOG_INTERVAL_MS) {
        lastLog = Date.now();
        this.logger.log(`Reconciling '${namespace}': ${describe(report)}…`);
      }
    };

    for await (const entry of mergeJoin(objects, records)) {
      if (entry.object) {
        report.scanned++;
        if (!isImportableKey(entry.key)) {
          report.skippedInvalid++;
          continue;
        }
      }
      batch.push(entry);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    if (reported !== report.scanned) emitProgress();
    this.logger.log(
      `Reconciled '${namespace}' (${strategy}) in ${Date.now() - begun} ms: ${describe(report)}.`,
    );
    return report;
  }
}

/** Only keys a repository could have written: valid, normalised, outside `fennflow/tmp/`. */
export function isImportableKey(key: string): boolean {
  try {
    return validatePath(key, { allowEmpty: false }) === key;
  } catch {
    return false;
  }
}

function describe(report: NamespaceReconcileReport): string {
  return (
    `${report.scanned} scanned, ${report.inserted} inserted, ${report.updated} updated, ` +
    `${report.removed} removed, ${report.skippedLocked} locked, ${report.skippedInvalid} not importable`
  );
}
