/**
 * - `open`: the unit of work is running; its pending work is compensated if its lease expires.
 * - `committing`: the commit point passed; only cleanup (backups, deferred deletes) is left.
 * - `compensation_failed`: a rollback step failed; the journal keeps it for a retry.
 */
export type SessionState = 'open' | 'committing' | 'compensation_failed';

export interface SessionRecord {
  readonly id: string;
  readonly state: SessionState;
  readonly leaseExpiresAt: Date;
  readonly createdAt: Date;
}
