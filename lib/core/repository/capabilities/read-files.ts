import { basename } from 'node:path/posix';
import { Readable } from 'node:stream';
import { contentFromStored, MediaResponse } from '../../content';
import type { MediaItem } from '../../content';
import type { FennFlowConnector } from '../../connector/fennflow-connector';
import type { FileRecord } from '../../backend/file-record';
import { contextOf, RepositoryBase } from '../repository.base';

/**
 * Reads files by resolved path: one backend call decides visibility and gives name, media type,
 * size and metadata; the bytes are fetched from storage only when the content is read, each read
 * opening its own stream, so an item never read holds no socket or file handle.
 */
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
    const items = rows.flatMap((row) =>
      row ? [mediaItemOf(context.connector, context.namespace, row)] : [],
    );
    return new MediaResponse(items);
  });
}

/** A file read back: what the backend knows at once, the bytes when read. */
export function mediaItemOf(
  connector: FennFlowConnector,
  namespace: string,
  row: FileRecord,
): MediaItem {
  return {
    path: row.path,
    content: contentFromStored({
      filename: basename(row.path),
      mediaType: row.mediaType ?? 'application/octet-stream',
      metadata: { ...row.metadata },
      size: row.size ?? undefined,
      body: lazyBody(connector, namespace, row.path),
    }),
  };
}

function lazyBody(
  connector: FennFlowConnector,
  namespace: string,
  key: string,
): () => Readable {
  return () =>
    Readable.from(
      (async function* () {
        const object = await connector.getObject(namespace, key);
        yield* object.body;
      })(),
      { objectMode: false },
    );
}
