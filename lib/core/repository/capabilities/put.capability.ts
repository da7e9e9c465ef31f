import type { Content } from '../../content';
import { capability } from '../capability';
import type { StoredFile } from '../repository-results';
import { writeFiles } from './write-files';

export const Put = capability('Put', {
  /** Writes files, replacing existing ones; a rollback restores the previous bytes. */
  async put(...files: Content[]): Promise<StoredFile[]> {
    return writeFiles(this, files, 'put');
  },
});
