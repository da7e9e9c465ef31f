import { basename } from 'node:path/posix';
import { contentFromStored, MediaResponse } from '../../content';
import type { MediaItem } from '../../content';
import { runSettled } from '../../unit-of-work/run-settled';
import { contextOf, RepositoryBase } from '../repository.base';

/** Reads files by resolved path: one backend call decides visibility, then storage for the visible. */
export async function readVisibleFiles(
  repository: RepositoryBase,
  paths: readonly string[],
): Promise<MediaResponse> {
  const context = contextOf(repository);
  const session = context.session();
  return session.track(async () => {
    const rows = await session.visibleRecords(
      paths.map((path) => ({ namespace: context.namespace, path })),
    );
    const items = await runSettled(
      rows.map((row) => async (): Promise<MediaItem | null> => {
        if (!row) return null;
        const object = await context.connector.getObject(
          context.namespace,
          row.path,
        );
        return {
          path: row.path,
          content: contentFromStored({
            filename: basename(row.path),
            mediaType: row.mediaType ?? object.mediaType,
            metadata: { ...object.metadata, ...row.metadata },
            size: row.size ?? object.size,
            body: () => object.body,
          }),
        };
      }),
      session.options.concurrency,
    );
    return new MediaResponse(
      items.filter((item): item is MediaItem => item !== null),
    );
  });
}
