import { MediaResponse } from '../../content';
import type { MediaItem } from '../../content';
import { capability } from '../capability';
import { contextOf } from '../repository.base';
import { allVisibleRows } from './list-visible';
import { mediaItemOf } from './read-files';

export const GetPrefix = capability('GetPrefix', {
  /** Reads every visible file whose path starts with the prefix (relative to this folder). */
  async getPrefix(prefix = ''): Promise<MediaResponse> {
    const { connector, namespace } = contextOf(this);
    const items: MediaItem[] = [];
    for await (const rows of allVisibleRows(this, prefix)) {
      items.push(...rows.map((row) => mediaItemOf(connector, namespace, row)));
    }
    return new MediaResponse(items);
  },
});
