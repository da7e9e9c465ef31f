import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { comparePaths } from '../../core/backend/compare-paths';
import { errnoOf } from './filesystem-errors';
import { TEMP_PREFIX } from './filesystem-key';

export interface WalkedFile {
  readonly key: string;
  readonly path: string;
}

/**
 * Yields the files under `folder` in code-point order of their keys, skipping temp files and
 * every folder that cannot hold a key matching `prefix` and coming after `after`.
 *
 * Sorting each folder's entries by name, with `/` appended to folder names, makes a
 * depth-first walk come out in key order: `a-c` < `a/b` < `a0`, as the keys compare.
 */
export async function* walkKeys(
  folder: string,
  prefix: string,
  after: string | null,
  relative = '',
): AsyncGenerator<WalkedFile> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw error;
  }
  const named = entries
    .filter(
      (entry) =>
        !entry.name.startsWith(TEMP_PREFIX) &&
        (entry.isFile() || entry.isDirectory()),
    )
    .map((entry) => ({
      entry,
      sortKey: entry.isDirectory() ? `${entry.name}/` : entry.name,
    }))
    .sort((a, b) => comparePaths(a.sortKey, b.sortKey));
  for (const { entry, sortKey } of named) {
    const key = relative + sortKey;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      const matchesPrefix = key.startsWith(prefix) || prefix.startsWith(key);
      const reachesPastCursor =
        after === null || comparePaths(key, after) > 0 || after.startsWith(key);
      if (matchesPrefix && reachesPastCursor) {
        yield* walkKeys(path, prefix, after, key);
      }
    } else if (
      key.startsWith(prefix) &&
      (after === null || comparePaths(key, after) > 0)
    ) {
      yield { key, path };
    }
  }
}
