import { capability } from '../capability';
import { contextOf, resolveIn } from '../repository.base';
import type { FileStat } from '../repository-results';

export const Stat = capability('Stat', {
  /** Size, media type, etag, status and metadata of visible files, from the backend alone. */
  async stat(...paths: string[]): Promise<(FileStat | null)[]> {
    const context = contextOf(this);
    const resolved = paths.map((path) => resolveIn(this, path));
    const session = context.session();
    return session.track(async () => {
      const rows = await session.visibleRecords(
        resolved.map((path) => ({ namespace: context.namespace, path })),
      );
      return rows.map((row) =>
        row
          ? {
              path: row.path,
              size: row.size,
              mediaType: row.mediaType,
              etag: row.etag,
              status: row.status,
              metadata: { ...row.metadata },
              updatedAt: row.updatedAt,
            }
          : null,
      );
    });
  },
});
