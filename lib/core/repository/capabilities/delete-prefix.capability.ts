import { capability } from '../capability';
import type { DeletedFile } from '../repository-results';
import { allVisibleRows } from './list-visible';
import { removeFiles } from './remove-files';

export const DeletePrefix = capability('DeletePrefix', {
  /** Deletes every visible file whose path starts with the prefix, a page at a time. */
  async deletePrefix(prefix = ''): Promise<DeletedFile[]> {
    const deleted: DeletedFile[] = [];
    const pages: string[][] = [];
    for await (const rows of allVisibleRows(this, prefix)) {
      pages.push(rows.map((row) => row.path));
    }
    for (const page of pages) {
      for (const file of await removeFiles(this, page))
        if (file) deleted.push(file);
    }
    return deleted;
  },
});
