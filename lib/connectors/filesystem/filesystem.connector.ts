import type { BigIntStats } from 'node:fs';
import { constants, createReadStream } from 'node:fs';
import { FileHandle, lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  FennFlowConnector,
  listLimitOf,
  ListObjectsOptions,
  ObjectBody,
  ObjectHead,
  ObjectListing,
  ObjectLocation,
  ObjectSummary,
  PutObjectOptions,
  PutObjectResult,
  RemoveAbandonedUploadsOptions,
  StoredObject,
} from '../../core/connector/fennflow-connector';
import {
  NoSuchKeyError,
  ObjectAlreadyExistsError,
  StorageError,
} from '../../core/errors/fennflow.errors';
import { removeStaleTempFiles } from './filesystem-abandoned';
import {
  errnoOf,
  fileFolderConflict,
  isMissing,
  toStorageError,
} from './filesystem-errors';
import {
  blockingAncestor,
  copyToTempFile,
  isFolder,
  linkIfAbsent,
  pruneEmptyFolders,
  renameInto,
  syncFolder,
  unlinkFile,
  writeTempFile,
} from './filesystem-files';
import {
  KeyLocation,
  locateKey,
  metaFolder,
  namespaceFolder,
} from './filesystem-key';
import { DEFAULT_MEDIA_TYPE, readSidecar, Sidecar } from './filesystem-sidecar';
import { walkKeys } from './filesystem-walk';

const DELETE_CONCURRENCY = 16;
const REPLACE_FOLDER_CODES = new Set([
  'EISDIR',
  'ENOTEMPTY',
  'EEXIST',
  'EPERM',
]);

/**
 * Objects as files: `<root>/<namespace>/<key>`, with media type, metadata and etag in a
 * sidecar under `<root>/.fennflow-meta/`. Every write goes to a temp file in the target
 * folder, is fsynced, then renamed (or linked, for `ifNoneMatch`) into place, so a crash
 * never leaves a half-written object under its final name. Cannot sign URLs.
 */
export class FileSystemConnector extends FennFlowConnector {
  readonly kind = 'filesystem';

  /** @param root absolute folder holding one subfolder per namespace */
  constructor(readonly root: string) {
    super();
  }

  override async ensureNamespace(namespace: string): Promise<void> {
    const folder = namespaceFolder(this.root, namespace);
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw new StorageError(
        `Cannot create the folder '${folder}' for namespace '${namespace}': ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  override validateKey(namespace: string, key: string): void {
    locateKey(this.root, namespace, key);
  }

  async putObject(
    namespace: string,
    key: string,
    body: ObjectBody,
    options: PutObjectOptions,
  ): Promise<PutObjectResult> {
    const location = locateKey(this.root, namespace, key);
    try {
      const folder = dirname(location.data);
      let temp;
      try {
        temp = await writeTempFile(folder, body);
      } catch (error) {
        throw await this.explainBlockedFolder(namespace, key, location, error);
      }
      if (options.ifNoneMatch) {
        if (!(await linkIfAbsent(temp.path, location.data))) {
          if (await isFolder(location.data)) {
            throw fileFolderConflict(
              namespace,
              key,
              'it is a folder of other keys',
            );
          }
          throw new ObjectAlreadyExistsError(namespace, key);
        }
      } else {
        await this.moveIntoPlace(namespace, key, temp.path, location.data);
      }
      await syncFolder(folder);
      await this.writeSidecar(namespace, location.meta, {
        version: 1,
        stamp: temp.stamp,
        mediaType: options.mediaType,
        metadata: { ...options.metadata },
        etag: temp.etag,
      });
      return { etag: temp.etag, size: temp.size };
    } catch (error) {
      throw toStorageError(error, 'writing', namespace, key);
    }
  }

  async getObject(namespace: string, key: string): Promise<StoredObject> {
    const location = locateKey(this.root, namespace, key);
    let handle: FileHandle;
    try {
      handle = await open(
        location.data,
        constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0),
      );
    } catch (error) {
      if (isMissing(error) || errnoOf(error) === 'ELOOP') {
        throw new NoSuchKeyError(namespace, key, { cause: error });
      }
      throw toStorageError(error, 'reading', namespace, key);
    }
    try {
      const stats = await handle.stat({ bigint: true });
      if (!stats.isFile()) throw new NoSuchKeyError(namespace, key);
      const head = await this.describe(key, location, stats);
      return { ...head, body: handle.createReadStream() };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw toStorageError(error, 'reading', namespace, key);
    }
  }

  async headObject(namespace: string, key: string): Promise<ObjectHead | null> {
    const location = locateKey(this.root, namespace, key);
    try {
      const stats = await statFile(location.data);
      return stats ? await this.describe(key, location, stats) : null;
    } catch (error) {
      throw toStorageError(error, 'reading', namespace, key);
    }
  }

  async copyObject(
    from: ObjectLocation,
    to: ObjectLocation,
  ): Promise<PutObjectResult> {
    const source = locateKey(this.root, from.namespace, from.key);
    const target = locateKey(this.root, to.namespace, to.key);
    let head: ObjectHead | null;
    try {
      const stats = await statFile(source.data);
      head = stats && (await this.describe(from.key, source, stats));
    } catch (error) {
      throw toStorageError(error, 'reading', from.namespace, from.key);
    }
    if (!head) throw new NoSuchKeyError(from.namespace, from.key);
    try {
      const folder = dirname(target.data);
      let temp;
      try {
        temp = await copyToTempFile(source.data, folder);
      } catch (error) {
        if (isMissing(error) && !(await statFile(source.data))) {
          throw new NoSuchKeyError(from.namespace, from.key, { cause: error });
        }
        throw await this.explainBlockedFolder(
          to.namespace,
          to.key,
          target,
          error,
        );
      }
      await this.moveIntoPlace(to.namespace, to.key, temp.path, target.data);
      await syncFolder(folder);
      await this.writeSidecar(to.namespace, target.meta, {
        version: 1,
        stamp: temp.stamp,
        mediaType: head.mediaType,
        metadata: { ...head.metadata },
        etag: head.etag,
      });
      return { etag: head.etag, size: head.size };
    } catch (error) {
      throw toStorageError(error, 'copying to', to.namespace, to.key);
    }
  }

  async deleteObjects(
    namespace: string,
    keys: readonly string[],
  ): Promise<void> {
    const located = keys.map(
      (key) => [key, locateKey(this.root, namespace, key)] as const,
    );
    const dataTop = namespaceFolder(this.root, namespace);
    const metaTop = metaFolder(this.root, namespace);
    for (let i = 0; i < located.length; i += DELETE_CONCURRENCY) {
      await Promise.all(
        located
          .slice(i, i + DELETE_CONCURRENCY)
          .map(async ([key, location]) => {
            try {
              if (await unlinkFile(location.data)) {
                await pruneEmptyFolders(dataTop, location.data);
              }
              if (await unlinkFile(location.meta)) {
                await pruneEmptyFolders(metaTop, location.meta);
              }
            } catch (error) {
              throw toStorageError(error, 'deleting', namespace, key);
            }
          }),
      );
    }
  }

  async listObjects(
    namespace: string,
    options: ListObjectsOptions = {},
  ): Promise<ObjectListing> {
    const limit = listLimitOf(options);
    const top = namespaceFolder(this.root, namespace);
    const metaTop = metaFolder(this.root, namespace);
    try {
      const found = [];
      for await (const file of walkKeys(
        top,
        options.prefix ?? '',
        options.cursor ?? null,
      )) {
        found.push(file);
        if (found.length > limit) break;
      }
      const objects: ObjectSummary[] = [];
      for (const file of found.slice(0, limit)) {
        const stats = await statFile(file.path);
        if (!stats) continue;
        const head = await this.describe(
          file.key,
          { data: file.path, meta: join(metaTop, ...file.key.split('/')) },
          stats,
        );
        objects.push({
          key: head.key,
          size: head.size,
          etag: head.etag,
          lastModified: head.lastModified,
        });
      }
      const cursor =
        found.length > limit ? (found[limit - 1]?.key ?? null) : null;
      return { objects, cursor };
    } catch (error) {
      throw toStorageError(error, 'listing', namespace, options.prefix ?? '');
    }
  }

  /**
   * Removes the temp files of writes interrupted before `olderThan`, in the namespace folder
   * and its sidecar tree: a process killed mid-write leaves them, and nothing else would.
   */
  override async removeAbandonedUploads(
    namespace: string,
    olderThan: Date,
    options: RemoveAbandonedUploadsOptions = {},
  ): Promise<number> {
    // A temp file does not name the key it was for; the grace period of GC handles those.
    if (options.key !== undefined) return 0;
    const dryRun = options.dryRun ?? false;
    let removed = 0;
    for (const top of [
      namespaceFolder(this.root, namespace),
      metaFolder(this.root, namespace),
    ]) {
      try {
        removed += await removeStaleTempFiles(top, olderThan, dryRun);
      } catch (error) {
        throw toStorageError(
          error,
          'removing temp files under',
          namespace,
          top,
        );
      }
    }
    return removed;
  }

  private async describe(
    key: string,
    location: KeyLocation,
    stats: BigIntStats,
  ): Promise<ObjectHead> {
    const sidecar = await readSidecar(location.meta, stats);
    return {
      key,
      size: Number(stats.size),
      etag: sidecar?.etag ?? (await md5Of(location.data)),
      lastModified: new Date(Number(stats.mtimeNs / 1_000_000n)),
      mediaType: sidecar?.mediaType ?? DEFAULT_MEDIA_TYPE,
      metadata: { ...(sidecar?.metadata ?? {}) },
    };
  }

  /** Renames a temp file over `target`, which must not be a folder of other keys. */
  private async moveIntoPlace(
    namespace: string,
    key: string,
    temp: string,
    target: string,
  ): Promise<void> {
    try {
      await renameInto(temp, target);
    } catch (error) {
      const code = errnoOf(error);
      if (code && REPLACE_FOLDER_CODES.has(code) && (await isFolder(target))) {
        throw fileFolderConflict(
          namespace,
          key,
          'it is a folder of other keys',
          error,
        );
      }
      throw error;
    }
  }

  /** Turns "a parent of the key is a file" into a clear error; other errors pass through. */
  private async explainBlockedFolder(
    namespace: string,
    key: string,
    location: KeyLocation,
    error: unknown,
  ): Promise<unknown> {
    const code = errnoOf(error);
    if (code !== 'ENOTDIR' && code !== 'EEXIST') return error;
    const top = namespaceFolder(this.root, namespace);
    const blocker = await blockingAncestor(top, location.data);
    if (!blocker) return error;
    const blockingKey = blocker
      .slice(top.length + 1)
      .split(/[\\/]/)
      .join('/');
    return fileFolderConflict(
      namespace,
      key,
      `'${blockingKey}' is an object, so it cannot also be a folder`,
      error,
    );
  }

  /**
   * Replaces the sidecar atomically. Sidecars left behind by a crash can stand where the
   * data tree now has a folder, or the reverse; those are stale and are removed.
   */
  private async writeSidecar(
    namespace: string,
    path: string,
    sidecar: Sidecar,
  ): Promise<void> {
    const top = metaFolder(this.root, namespace);
    const folder = dirname(path);
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(folder, { recursive: true });
        break;
      } catch (error) {
        const blocker = await blockingAncestor(top, join(folder, 'x'));
        if (!blocker || attempt >= 5) throw error;
        await rm(blocker, { force: true });
      }
    }
    const temp = await writeTempFile(folder, JSON.stringify(sidecar));
    try {
      await rename(temp.path, path);
    } catch (error) {
      if (!(await isFolder(path))) {
        await rm(temp.path, { force: true });
        throw error;
      }
      await rm(path, { recursive: true, force: true });
      await renameInto(temp.path, path);
    }
  }
}

/** Stats of a regular file (not following a final symlink), or `null` if there is none. */
async function statFile(path: string): Promise<BigIntStats | null> {
  try {
    const stats = await lstat(path, { bigint: true });
    return stats.isFile() ? stats : null;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
