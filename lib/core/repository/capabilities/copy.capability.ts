import { capability } from '../capability';
import type { CopyOptions, StoredFile } from '../repository-results';
import { transferFile } from './transfer-file';

export const Copy = capability('Copy', {
  /** Copies a visible file (server-side); a rollback removes the copy or restores what it replaced. */
  async copy(
    from: string,
    to: string,
    options: CopyOptions = {},
  ): Promise<StoredFile> {
    return transferFile(this, from, to, options, 'copy');
  },
});
