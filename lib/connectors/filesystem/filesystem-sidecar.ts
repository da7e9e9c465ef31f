import type { BigIntStats } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * What a file cannot carry itself: media type, metadata and etag, kept as JSON in a parallel
 * hidden tree (`<root>/.fennflow-meta/<namespace>/<key>`). A sidecar rather than extended
 * attributes: xattrs need a native module, are missing or size-capped on tmpfs, some
 * container overlays, network shares and Windows, and are lost by ordinary backup tools.
 * Mirroring the key path exactly means the sidecar tree can hold every key the data tree can.
 *
 * Data and sidecar cannot be renamed into place together, so each sidecar records the stamp
 * (inode, size, mtime) of the data file it describes; a sidecar whose stamp does not match
 * the file (a crash between the two renames, a file replaced by hand) is ignored and the
 * object reads as `application/octet-stream` with its etag recomputed from the bytes.
 */
export interface Sidecar {
  readonly version: 1;
  readonly stamp: string;
  readonly mediaType: string;
  readonly metadata: Record<string, string>;
  readonly etag: string;
}

export const DEFAULT_MEDIA_TYPE = 'application/octet-stream';

export function stampOf(stats: BigIntStats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}

/** The sidecar at `path` if it describes the file with these stats, else `null`. */
export async function readSidecar(
  path: string,
  stats: BigIntStats,
): Promise<Sidecar | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      return null;
    }
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Sidecar>;
    if (
      parsed.version === 1 &&
      parsed.stamp === stampOf(stats) &&
      typeof parsed.mediaType === 'string' &&
      typeof parsed.etag === 'string' &&
      typeof parsed.metadata === 'object' &&
      parsed.metadata !== null
    ) {
      return parsed as Sidecar;
    }
  } catch {
    // A torn or foreign file is treated like a missing sidecar.
  }
  return null;
}
