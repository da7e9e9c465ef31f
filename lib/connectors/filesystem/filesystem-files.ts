import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import {
  copyFile,
  link,
  lstat,
  mkdir,
  open,
  rename,
  rm,
  rmdir,
  unlink,
} from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { ObjectBody } from '../../core/connector/fennflow-connector';
import { errnoOf } from './filesystem-errors';
import { TEMP_PREFIX } from './filesystem-key';
import { stampOf } from './filesystem-sidecar';

export interface TempFile {
  readonly path: string;
  readonly etag: string;
  readonly size: number;
  readonly stamp: string;
}

export function tempPathIn(folder: string): string {
  return join(folder, TEMP_PREFIX + randomUUID());
}

/**
 * Runs `create` in `folder` (created first). A concurrent delete may prune the folder between
 * the two steps, which shows up as ENOENT; the folder is then made again.
 */
export async function inFolder<T>(
  folder: string,
  create: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(folder, { recursive: true });
    try {
      return await create();
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT' || attempt >= 5) throw error;
    }
  }
}

/**
 * Streams the body to a new temp file in `folder` (created if needed), hashing as it goes,
 * and fsyncs it. The temp file is gone again if anything fails.
 */
export async function writeTempFile(
  folder: string,
  body: ObjectBody | string,
): Promise<TempFile> {
  const path = tempPathIn(folder);
  const handle = await inFolder(folder, () => open(path, 'wx'));
  const hash = createHash('md5');
  let size = 0;
  try {
    const chunks: AsyncIterable<unknown> | unknown[] =
      typeof body === 'string' || Buffer.isBuffer(body) ? [body] : body;
    // Chunk by chunk, each awaited: memory stays at one chunk whatever the body's length.
    for await (const chunk of chunks) {
      const bytes = toBuffer(chunk);
      hash.update(bytes);
      size += bytes.length;
      for (let offset = 0; offset < bytes.length;) {
        offset += (await handle.write(bytes, offset)).bytesWritten;
      }
    }
    await handle.sync();
    const stats = await handle.stat({ bigint: true });
    await handle.close();
    return { path, etag: hash.digest('hex'), size, stamp: stampOf(stats) };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(path, { force: true });
    throw error;
  }
}

/** Copies `source` to a new temp file in `folder` (a reflink where the filesystem can). */
export async function copyToTempFile(
  source: string,
  folder: string,
): Promise<{ path: string; stamp: string }> {
  const path = tempPathIn(folder);
  try {
    await inFolder(folder, () =>
      copyFile(
        source,
        path,
        constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE,
      ),
    );
    const handle = await open(path, 'r+');
    try {
      await handle.sync();
      return { path, stamp: stampOf(await handle.stat({ bigint: true })) };
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

/**
 * Gives the temp file its final name without replacing anything: `link()` fails with EEXIST
 * when the name is taken, atomically. Returns false (and drops the temp file) when taken.
 */
export async function linkIfAbsent(
  temp: string,
  target: string,
): Promise<boolean> {
  try {
    await link(temp, target);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') {
      // No hard links on this filesystem (FAT, some network shares): check, then rename.
      // Two concurrent creates of one key can both pass the check; the later rename wins.
      if (await exists(target)) {
        await rm(temp, { force: true });
        return false;
      }
      await renameInto(temp, target);
      return true;
    }
    await rm(temp, { force: true });
    if (code === 'EEXIST') return false;
    throw error;
  }
  await rm(temp, { force: true });
  return true;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Atomic replace; the temp file is removed if the rename fails. */
export async function renameInto(temp: string, target: string): Promise<void> {
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Makes a rename durable. Platforms that cannot open folders (Windows) skip it. */
export async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (error) {
    const code = errnoOf(error);
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') {
      throw error;
    }
  } finally {
    await handle?.close();
  }
}

export async function isFolder(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The first ancestor of `path` below `top` that is not a folder, if any. */
export async function blockingAncestor(
  top: string,
  path: string,
): Promise<string | null> {
  const parts = relative(top, dirname(path)).split(sep).filter(Boolean);
  let current = top;
  for (const part of parts) {
    current = join(current, part);
    try {
      if (!(await lstat(current)).isDirectory()) return current;
    } catch {
      return null;
    }
  }
  return null;
}

/** Removes a file, ignoring a missing one; returns whether a file was removed. */
export async function unlinkFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    const code = errnoOf(error);
    // EISDIR/EPERM: a folder of other keys, not an object.
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      return false;
    }
    if (code === 'EPERM' && (await isFolder(path))) return false;
    throw error;
  }
}

/** Removes the empty folders left above `path`, stopping at `top` or a non-empty one. */
export async function pruneEmptyFolders(
  top: string,
  path: string,
): Promise<void> {
  let folder = dirname(path);
  while (folder.startsWith(top + sep)) {
    try {
      await rmdir(folder);
    } catch {
      return;
    }
    folder = dirname(folder);
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) {
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  throw new TypeError(
    `A body stream must yield bytes (Buffer, Uint8Array or string), got ${typeof chunk}.`,
  );
}
