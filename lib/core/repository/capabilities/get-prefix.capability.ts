import type { MediaResponse } from '../../content';
import { capability } from '../capability';
import { allVisiblePaths } from './list-visible';
import { readVisibleFiles } from './read-files';

export const GetPrefix = capability('GetPrefix', {
  /** Reads every visible file whose path starts with the prefix (relative to this folder). */
  async getPrefix(prefix = ''): Promise<MediaResponse> {
    const paths: string[] = [];
    for await (const page of allVisiblePaths(this, prefix)) paths.push(...page);
    return readVisibleFiles(this, paths);
  },
});
