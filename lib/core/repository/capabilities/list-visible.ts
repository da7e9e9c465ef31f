import {
  InvalidArgumentError,
  InvalidPathError,
} from '../../errors/fennflow.errors';
import {
  asFolder,
  isReservedPath,
  validatePath,
} from '../../paths/storage-path';
import { contextOf, RepositoryBase } from '../repository.base';
import type { FileRecord } from '../../backend/file-record';
import type { ListOptions, ListResult } from '../repository-results';

const MAX_PAGE = 10_000;

/** One page of visible paths under the repository's folder plus a plain string prefix. */
export async function listVisiblePage(
  repository: RepositoryBase,
  options: ListOptions = {},
): Promise<ListResult> {
  const { rows, cursor } = await listVisibleRows(repository, options);
  return { paths: rows.map((row) => row.path), cursor };
}

/** As listVisiblePage, with the whole rows (media type, size, metadata) of the page. */
export async function listVisibleRows(
  repository: RepositoryBase,
  options: ListOptions = {},
): Promise<{ rows: FileRecord[]; cursor: string | null }> {
  const context = contextOf(repository);
  const prefix = fullPrefix(context.folder, options.prefix ?? '');
  const limit = options.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new InvalidArgumentError(
      `list(): limit must be a whole number from 1 to ${MAX_PAGE}, got ${String(limit)}.`,
    );
  }
  const cursor = options.cursor ?? null;
  if (cursor !== null && typeof cursor !== 'string') {
    throw new InvalidArgumentError(
      'list(): cursor must be the string returned by the previous page, or null.',
    );
  }
  const session = context.session();
  return session.track(async () => {
    const rows = await session.backend.listVisible({
      sessionId: session.id,
      namespace: context.namespace,
      prefix,
      after: cursor,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      rows: page,
      cursor: rows.length > limit ? page[page.length - 1].path : null,
    };
  });
}

/** Every visible row under the prefix, page by page. */
export async function* allVisibleRows(
  repository: RepositoryBase,
  prefix: string,
): AsyncGenerator<FileRecord[]> {
  let cursor: string | null = null;
  do {
    const page: { rows: FileRecord[]; cursor: string | null } =
      await listVisibleRows(repository, { prefix, cursor, limit: 1000 });
    if (page.rows.length > 0) yield page.rows;
    cursor = page.cursor;
  } while (cursor !== null);
}

function fullPrefix(folder: string, prefix: string): string {
  if (typeof prefix !== 'string') {
    throw new InvalidArgumentError('list(): prefix must be a string.');
  }
  // Validates characters and segments; a trailing '/' is kept, as it is part of a plain prefix.
  if (prefix !== '') validatePath(prefix, { allowEmpty: true });
  const full = asFolder(folder) + prefix.replace(/^\/+/, '');
  if (isReservedPath(full)) {
    throw new InvalidPathError(
      full,
      "'fennflow/tmp/' is reserved for FennFlow's own backups",
    );
  }
  return full;
}
