import { comparePaths } from '../backend/compare-paths';
import type { FennFlowBackend } from '../backend/fennflow-backend';
import type { FileRecord } from '../backend/file-record';
import type {
  FennFlowConnector,
  ObjectSummary,
} from '../connector/fennflow-connector';
import { BackendError, StorageError } from '../errors/fennflow.errors';

/** The objects of a namespace page by page, in code-point order, checked as they come. */
export async function* storagePages(
  connector: FennFlowConnector,
  namespace: string,
  pageSize: number,
  prefix = '',
): AsyncGenerator<ObjectSummary[]> {
  let cursor: string | null = null;
  let last: string | null = null;
  do {
    const page = await connector.listObjects(namespace, {
      prefix,
      limit: pageSize,
      cursor,
    });
    for (const object of page.objects) {
      if (last !== null && comparePaths(object.key, last) <= 0) {
        throw new StorageError(
          `The ${connector.kind} connector listed '${object.key}' after '${last}' in namespace '${namespace}'; listings must ascend in code-point order.`,
        );
      }
      last = object.key;
    }
    if (page.objects.length > 0) yield page.objects;
    cursor = page.cursor;
  } while (cursor !== null);
}

/** Every object of a namespace, one page in memory at a time, in code-point order. */
export async function* storageObjects(
  connector: FennFlowConnector,
  namespace: string,
  pageSize: number,
  prefix = '',
): AsyncGenerator<ObjectSummary> {
  for await (const page of storagePages(
    connector,
    namespace,
    pageSize,
    prefix,
  )) {
    yield* page;
  }
}

/**
 * Committed rows of a namespace (`uploaded`, unlocked): what `listVisible` returns to a session
 * that holds nothing, paged by the last path seen.
 */
export async function* committedRecords(
  backend: FennFlowBackend,
  namespace: string,
  pageSize: number,
  probeSessionId: string,
): AsyncGenerator<FileRecord> {
  let after: string | null = null;
  for (;;) {
    const page = await backend.listVisible({
      sessionId: probeSessionId,
      namespace,
      prefix: '',
      after,
      limit: pageSize,
    });
    for (const record of page) {
      if (after !== null && comparePaths(record.path, after) <= 0) {
        throw new BackendError(
          `The ${backend.kind} backend listed '${record.path}' after '${after}' in namespace '${namespace}'; listings must ascend in code-point order.`,
        );
      }
      after = record.path;
      yield record;
    }
    if (page.length < pageSize) return;
  }
}

/** One key of the merge: its object, its committed row, or both. */
export interface JoinedEntry {
  readonly key: string;
  readonly object: ObjectSummary | null;
  readonly record: FileRecord | null;
}

/** Merge-join of two ascending streams; holds one element of each at a time. */
export async function* mergeJoin(
  objects: AsyncIterator<ObjectSummary>,
  records: AsyncIterator<FileRecord> | null,
): AsyncGenerator<JoinedEntry> {
  let object = await objects.next();
  let record = records ? await records.next() : null;
  for (;;) {
    const o = object.done ? null : object.value;
    const r = record === null || record.done ? null : record.value;
    if (o === null && r === null) return;
    const order =
      o === null ? 1 : r === null ? -1 : comparePaths(o.key, r.path);
    if (order < 0 && o) {
      yield { key: o.key, object: o, record: null };
      object = await objects.next();
    } else if (order > 0 && r && records) {
      yield { key: r.path, object: null, record: r };
      record = await records.next();
    } else if (o && r && records) {
      yield { key: o.key, object: o, record: r };
      object = await objects.next();
      record = await records.next();
    }
  }
}
