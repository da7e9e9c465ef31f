import type { RecoveryResult } from '../unit-of-work/recover-session';

/**
 * - `session-finished`: a backup whose session no longer exists (committed or rolled back);
 * - `session-recovered`: a backup of a session whose lease had expired, recovered by this run;
 * - `orphan`: an object with no visible record, older than the grace period.
 */
export type GcReason = 'session-finished' | 'session-recovered' | 'orphan';

export interface GcRemoval {
  readonly namespace: string;
  readonly key: string;
  readonly reason: GcReason;
  /** The session of a backup; `null` for orphans. */
  readonly sessionId: string | null;
  readonly size: number;
  readonly lastModified: Date;
}

/** Why backups were kept: their session is alive, failed to compensate, or (dry run) needs recovery first. */
export type GcKeptReason =
  'live' | 'compensation-failed' | 'needs-recovery' | 'not-recovered';

export interface GcKeptSession {
  readonly sessionId: string;
  readonly reason: GcKeptReason;
}

export interface GcFailure {
  readonly namespace: string | null;
  readonly sessionId: string | null;
  readonly keys: readonly string[];
  readonly error: string;
}

export interface GcProgress {
  readonly namespace: string;
  readonly phase: 'backups' | 'orphans';
  /** Objects listed in this namespace and phase so far. */
  readonly scanned: number;
  /** Objects removed (dry run: that would be) in this namespace and phase so far. */
  readonly removed: number;
  readonly elapsedMs: number;
}

export interface GcReport {
  readonly dryRun: boolean;
  /** What was removed, or in a dry run what would be. */
  readonly removed: readonly GcRemoval[];
  /** Expired sessions this run recovered before deciding on their backups. */
  readonly recovered: ReadonlyArray<{
    readonly sessionId: string;
    readonly result: RecoveryResult;
  }>;
  readonly keptSessions: readonly GcKeptSession[];
  /** Objects listed, backups and orphan candidates together. */
  readonly scanned: number;
  /**
   * Leftovers of writes interrupted before the grace period (filesystem temp files, S3
   * incomplete multipart uploads), never listed as objects: how many were removed, or in a dry
   * run would be. 0 where the connector has none or cannot list them.
   */
  readonly abandonedUploads: number;
  /** Keys under `fennflow/tmp/` that do not look like a backup, and invalid keys: never touched. */
  readonly skippedUnknown: number;
  readonly failures: readonly GcFailure[];
  readonly durationMs: number;
}
