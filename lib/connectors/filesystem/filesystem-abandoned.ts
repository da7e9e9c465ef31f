import type { Dirent } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isMissing } from './filesystem-errors';
import { pruneEmptyFolders } from './filesystem-files';
import { TEMP_PREFIX } from './filesystem-key';

/**
 * Removes the temp files (`.fennflow-tmp-*`) under `top` last modified before `olderThan`: what
 * a process killed mid-write leaves behind. A write in progress keeps touching its temp file,
 * so only a writer stalled for longer than the cut-off can lose it. Folders left empty are
 * pruned up to `top`, as a delete does. Returns how many were removed (dry run: would be).
 */
export async function removeStaleTempFiles(
  top: string,
  olderThan: Date,
  dryRun: boolean,
): Promise<number> {
  let removed = 0;
  for await (const path of tempFilesUnder(top)) {
    let modified: number;
    try {
      const stats = await lstat(path);
      if (!stats.isFile()) continue;
      modified = stats.mtimeMs;
    } catch (error) {
      if (isMissing(error)) continue; // renamed into place or removed meanwhile
      throw error;
    }
    if (modified >= olderThan.getTime()) continue;
    if (!dryRun) {
      await rm(path, { force: true });
      await pruneEmptyFolders(top, path);
    }
    removed++;
  }
  return removed;
}

/** Every temp file under `folder`, depth first; a folder that vanishes is skipped. */
async function* tempFilesUnder(folder: string): AsyncGenerator<string> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* tempFilesUnder(path);
    else if (entry.isFile() && entry.name.startsWith(TEMP_PREFIX)) yield path;
  }
}
