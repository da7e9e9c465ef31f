import { comparePaths } from '../../core/backend/compare-paths';
import { recordKeyOf } from '../../core/backend/file-record';
import type { FileRecord } from '../../core/backend/file-record';

/**
 * The rows of one scope, with the paths of each namespace kept sorted in code-point order, so a
 * page of a listing starts with a binary search instead of sorting the whole namespace, and the
 * keys each session holds locked, so commit and rollback touch only the session's rows.
 */
export class RecordTable {
  private readonly rows = new Map<string, FileRecord>();
  private readonly sortedPaths = new Map<string, string[]>();
  private readonly locks = new Map<string, Set<string>>();

  get(key: string): FileRecord | undefined {
    return this.rows.get(key);
  }

  set(key: string, record: FileRecord): void {
    const previous = this.rows.get(key);
    if (!previous) this.indexPath(record.namespace, record.path);
    if (previous?.lockedBy !== record.lockedBy) {
      if (previous?.lockedBy) this.locks.get(previous.lockedBy)?.delete(key);
      if (record.lockedBy) {
        const held = this.locks.get(record.lockedBy) ?? new Set<string>();
        held.add(key);
        this.locks.set(record.lockedBy, held);
      }
    }
    this.rows.set(key, record);
  }

  /** The rows a session holds locked, as a snapshot that may be updated while iterated. */
  lockedBy(sessionId: string): [string, FileRecord][] {
    const held = [...(this.locks.get(sessionId) ?? [])];
    if (held.length === 0) this.locks.delete(sessionId);
    return held.map((key) => [key, this.rows.get(key) as FileRecord]);
  }

  values(): IterableIterator<FileRecord> {
    return this.rows.values();
  }

  /** Rows of a namespace whose path starts with `prefix` and sorts after `after`, in order. */
  *scan(
    namespace: string,
    prefix: string,
    after: string | null,
  ): Generator<FileRecord> {
    const paths = this.sortedPaths.get(namespace) ?? [];
    const start =
      after !== null && comparePaths(after, prefix) >= 0 ? after : prefix;
    let index = lowerBound(paths, start);
    if (after !== null && paths[index] === after) index++;
    for (; index < paths.length; index++) {
      const path = paths[index];
      if (!path.startsWith(prefix)) {
        if (comparePaths(path, prefix) > 0) return;
        continue;
      }
      const row = this.rows.get(recordKeyOf({ namespace, path }));
      if (row) yield row;
    }
  }

  private indexPath(namespace: string, path: string): void {
    let paths = this.sortedPaths.get(namespace);
    if (!paths) {
      paths = [];
      this.sortedPaths.set(namespace, paths);
    }
    paths.splice(lowerBound(paths, path), 0, path);
  }
}

function lowerBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (comparePaths(sorted[middle], value) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
