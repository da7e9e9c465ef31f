import type { ReconcileStrategy } from './reconcile.config';

/** Counts for one namespace; also what `onProgress` receives after each batch. */
export interface NamespaceReconcileReport {
  readonly namespace: string;
  /** Storage objects listed. */
  readonly scanned: number;
  /** Rows created for keys that had none. */
  readonly inserted: number;
  /** Existing rows rewritten to match storage (`replace` only). */
  readonly updated: number;
  /** Rows marked `deleted` because their object is gone (`replace` only). */
  readonly removed: number;
  /** Rows left alone because a session holds them (pending work, cleanup, failed compensation). */
  readonly skippedLocked: number;
  /** Keys never imported: FennFlow's own `fennflow/tmp/` area and keys that are not valid storage paths. */
  readonly skippedInvalid: number;
  /** Rows that already matched storage, or were written after the run started. */
  readonly unchanged: number;
  /** Backend transactions (`stage` calls) used. */
  readonly batches: number;
}

export interface ReconcileProgress extends NamespaceReconcileReport {
  readonly elapsedMs: number;
}

export interface ReconcileReport {
  readonly strategy: ReconcileStrategy;
  /** `not-empty`: `fill-if-empty` found records in the scope and did nothing. */
  readonly skipped: 'not-empty' | null;
  readonly namespaces: readonly NamespaceReconcileReport[];
  readonly durationMs: number;
}
