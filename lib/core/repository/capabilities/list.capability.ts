import { capability } from '../capability';
import type { ListOptions, ListResult } from '../repository-results';
import { listVisiblePage } from './list-visible';

export const List = capability('List', {
  /** One page of visible paths, from the backend alone; paths are relative to the namespace root. */
  async list(options?: ListOptions): Promise<ListResult> {
    return listVisiblePage(this, options);
  },
});
