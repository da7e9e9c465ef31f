import { resolve, sep } from 'node:path';
import { InvalidPathError } from '../../core/errors/fennflow.errors';
import { validateNamespace } from '../../core/paths/namespace';
import { MAX_KEY_BYTES } from '../../core/paths/storage-path';

/** Longest file name most filesystems accept (ext4, XFS, APFS, NTFS all cap a name at 255). */
export const MAX_SEGMENT_BYTES = 255;
/** Prefix of in-flight files; keys may not use it, so a temp file never shadows an object. */
export const TEMP_PREFIX = '.fennflow-tmp-';
/** Hidden tree under the root holding sidecars; namespaces cannot start with a dot. */
export const META_FOLDER = '.fennflow-meta';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Refuses keys the filesystem cannot hold, or that would leave the namespace folder. */
export function checkKey(key: string): string[] {
  if (key === '') throw new InvalidPathError(key, 'the key is empty');
  if (CONTROL_CHARACTERS.test(key)) {
    throw new InvalidPathError(
      key,
      'NUL and control characters are not allowed',
    );
  }
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new InvalidPathError(
      key,
      `a storage key may hold at most ${MAX_KEY_BYTES} bytes`,
    );
  }
  const segments = key.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new InvalidPathError(
        key,
        'empty, `.` and `..` segments are not allowed',
      );
    }
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      throw new InvalidPathError(
        key,
        `the filesystem connector stores each path segment as a file name, which holds at most ${MAX_SEGMENT_BYTES} bytes`,
      );
    }
    if (segment.startsWith(TEMP_PREFIX)) {
      throw new InvalidPathError(
        key,
        `names starting with '${TEMP_PREFIX}' are reserved for the filesystem connector's temp files`,
      );
    }
    if (sep !== '/' && segment.includes(sep)) {
      throw new InvalidPathError(key, `'${sep}' is a path separator here`);
    }
  }
  return segments;
}

export interface KeyLocation {
  /** The object's bytes. */
  readonly data: string;
  /** Its sidecar (media type, metadata, etag). */
  readonly meta: string;
}

/** Absolute locations of a key, checked to stay inside their namespace folders. */
export function locateKey(
  root: string,
  namespace: string,
  key: string,
): KeyLocation {
  const segments = checkKey(key);
  return {
    data: contained(namespaceFolder(root, namespace), segments, key),
    meta: contained(metaFolder(root, namespace), segments, key),
  };
}

export function namespaceFolder(root: string, namespace: string): string {
  return resolve(root, validateNamespace(namespace));
}

export function metaFolder(root: string, namespace: string): string {
  return resolve(root, META_FOLDER, validateNamespace(namespace));
}

function contained(folder: string, segments: string[], key: string): string {
  const target = resolve(folder, ...segments);
  if (!target.startsWith(folder + sep)) {
    throw new InvalidPathError(key, 'the key leaves its namespace folder');
  }
  return target;
}
