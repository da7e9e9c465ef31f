import { capability } from '../capability';
import type { CopyOptions, StoredFile } from '../repository-results';
import { transferFile } from './transfer-file';

export const Move = capability('Move', {
  /** Moves a visible file: a copy now, the source removed after the commit. */
  async move(
    from: string,
    to: string,
    options: CopyOptions = {},
  ): Promise<StoredFile> {
    return transferFile(this, from, to, options, 'move');
  },
});
