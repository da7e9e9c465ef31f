import { capability } from '../capability';
import { resolveIn } from '../repository.base';
import type { DeletedFile } from '../repository-results';
import { removeFiles } from './remove-files';

export const Delete = capability('Delete', {
  /** Deletes files; one result per path, `null` where no visible file was. */
  async delete(...paths: string[]): Promise<(DeletedFile | null)[]> {
    return removeFiles(
      this,
      paths.map((path) => resolveIn(this, path)),
    );
  },
});
