import { MediaResponse } from '../../content';
import { capability } from '../capability';
import { readVisibleFiles } from './read-files';
import { resolveIn } from '../repository.base';

export const Get = capability('Get', {
  /** Reads the visible files among `paths`, in argument order; never touches storage for the others. */
  async get(...paths: string[]): Promise<MediaResponse> {
    const resolved = paths.map((path) => resolveIn(this, path));
    return readVisibleFiles(this, resolved);
  },
});
