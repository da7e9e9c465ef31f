import type { Content } from '../../content';
import { capability } from '../capability';
import type { StoredFile } from '../repository-results';
import { writeFiles } from './write-files';

export const Create = capability('Create', {
  /** Writes new files; fails with RecordAlreadyExistsError, before any I/O, if any path is taken. */
  async create(...files: Content[]): Promise<StoredFile[]> {
    return writeFiles(this, files, 'create');
  },
});
