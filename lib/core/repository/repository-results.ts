import type { RecordStatus } from '../backend/file-record';

/** A file written by create, put, copy or move. */
export interface StoredFile {
  /** Path relative to the namespace root. */
  readonly path: string;
  readonly namespace: string;
  readonly size: number | null;
  readonly mediaType: string | null;
  readonly etag: string | null;
}

/** A file removed by delete (its storage object goes after the commit). */
export interface DeletedFile {
  readonly path: string;
  readonly namespace: string;
  readonly size: number | null;
  readonly mediaType: string | null;
}

export interface FileStat {
  readonly path: string;
  readonly size: number | null;
  readonly mediaType: string | null;
  readonly etag: string | null;
  readonly status: RecordStatus;
  readonly metadata: Readonly<Record<string, string>>;
  readonly updatedAt: Date;
}

export interface ListOptions {
  /** Plain string prefix relative to the repository's folder: `'a'` matches `ab` and `a/x`. */
  readonly prefix?: string;
  /** Page size, 1 to 10,000; default 1000. */
  readonly limit?: number;
  /** `cursor` of the previous page. */
  readonly cursor?: string | null;
}

export interface ListResult {
  /** Paths relative to the namespace root, ascending in code-point order. */
  readonly paths: string[];
  /** Pass to the next call; `null` on the last page. */
  readonly cursor: string | null;
}

export interface CopyOptions {
  /** Target namespace; defaults to the repository's own. */
  readonly toNamespace?: string;
  /** `false` refuses to replace a visible target (RecordAlreadyExistsError). Default `true`. */
  readonly overwrite?: boolean;
}

export interface PresignedUrlOptions {
  /** Lifetime in seconds. */
  readonly expiresIn?: number;
}
