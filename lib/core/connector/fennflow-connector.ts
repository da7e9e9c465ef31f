import type { Readable } from 'node:stream';
import {
  ConnectorCapabilityError,
  InvalidArgumentError,
} from '../errors/fennflow.errors';

/** Bytes to store: a buffer, or a stream read once and never held whole in memory. */
export type ObjectBody = Buffer | Readable;

export interface PutObjectOptions {
  readonly mediaType: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Length in bytes when known in advance (lets S3 skip multipart for small bodies). */
  readonly size?: number;
  /** Write only if no object exists at the key; otherwise throw ObjectAlreadyExistsError. */
  readonly ifNoneMatch?: boolean;
}

export interface PutObjectResult {
  readonly etag: string;
  readonly size: number;
}

export interface ObjectSummary {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
}

export interface ObjectHead extends ObjectSummary {
  readonly mediaType: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface StoredObject extends ObjectHead {
  /** Read lazily; consume it or destroy it. */
  readonly body: Readable;
}

export interface ListObjectsOptions {
  readonly prefix?: string;
  readonly limit?: number;
  readonly cursor?: string | null;
}

export interface ObjectListing {
  /** Ascending by key, in code-point order. */
  readonly objects: ObjectSummary[];
  /** `null` on the last page. */
  readonly cursor: string | null;
}

export interface ObjectLocation {
  readonly namespace: string;
  readonly key: string;
}

export interface RemoveAbandonedUploadsOptions {
  /** Count what would be removed; remove nothing. */
  readonly dryRun?: boolean;
  /**
   * Only uploads to this exact key (recovery of a dead session, whose keys are still locked).
   * Connectors that cannot tell which key an upload was for remove nothing in this mode.
   */
  readonly key?: string;
}

export interface PresignOptions {
  /** Seconds; connectors apply their own default when omitted. */
  readonly expiresIn?: number;
}

/**
 * Raw object storage. Connectors know nothing of sessions or records: the unit of work
 * decides what to write, back up and undo, and calls these primitives.
 *
 * Errors: a missing key is NoSuchKeyError; anything else is a FennFlowError whose `cause`
 * is the underlying error.
 */
export abstract class FennFlowConnector {
  /** Short name used in messages, e.g. `in-memory`, `filesystem`, `s3`. */
  abstract readonly kind: string;

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  /** Makes sure the namespace can be written (creates a folder or checks a bucket). */
  async ensureNamespace(_namespace: string): Promise<void> {}

  /** Refuses keys this connector cannot store, before any I/O. Paths are already normalised. */
  validateKey(_namespace: string, _key: string): void {}

  abstract putObject(
    namespace: string,
    key: string,
    body: ObjectBody,
    options: PutObjectOptions,
  ): Promise<PutObjectResult>;

  abstract getObject(namespace: string, key: string): Promise<StoredObject>;

  /** `null` when the key does not exist. */
  abstract headObject(
    namespace: string,
    key: string,
  ): Promise<ObjectHead | null>;

  /** Server-side copy; NoSuchKeyError when the source is missing. */
  abstract copyObject(
    from: ObjectLocation,
    to: ObjectLocation,
  ): Promise<PutObjectResult>;

  /** Deletes every key given; missing keys are not an error. */
  abstract deleteObjects(
    namespace: string,
    keys: readonly string[],
  ): Promise<void>;

  abstract listObjects(
    namespace: string,
    options?: ListObjectsOptions,
  ): Promise<ObjectListing>;

  /**
   * Removes what writes interrupted before `olderThan` left in the namespace, which is never
   * listed as an object (temp files, incomplete multipart uploads), and returns how many (dry
   * run: how many it would remove). The default has nothing to remove and returns 0.
   */
  async removeAbandonedUploads(
    _namespace: string,
    _olderThan: Date,
    _options?: RemoveAbandonedUploadsOptions,
  ): Promise<number> {
    return 0;
  }

  /** Whether presignGetUrl works; checked before any I/O. */
  get canSignUrls(): boolean {
    return false;
  }

  async presignGetUrl(
    _namespace: string,
    _key: string,
    _options?: PresignOptions,
  ): Promise<string> {
    throw new ConnectorCapabilityError(this.kind, 'sign URLs');
  }
}

/** A connector recipe, as written in module options; `create()` loads the driver. */
export interface ConnectorConfig {
  /** Name of the process-wide store or client this config points at, for messages. */
  readonly kind: string;
  create(context: { scope: string }): Promise<FennFlowConnector>;
}

export const DEFAULT_LIST_LIMIT = 1000;

/** The page size a listing asked for, checked the same way on every connector. */
export function listLimitOf(options: ListObjectsOptions): number {
  const limit = options.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidArgumentError(
      `limit must be a positive integer, got ${limit}.`,
    );
  }
  return limit;
}
