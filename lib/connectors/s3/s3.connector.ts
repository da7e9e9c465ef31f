import { createHash, randomUUID } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  FennFlowConnector,
  listLimitOf,
  ListObjectsOptions,
  ObjectBody,
  ObjectHead,
  ObjectListing,
  ObjectLocation,
  PresignOptions,
  PutObjectOptions,
  PutObjectResult,
  RemoveAbandonedUploadsOptions,
  StoredObject,
} from '../../core/connector/fennflow-connector';
import {
  ConfigurationError,
  InvalidArgumentError,
  NoSuchKeyError,
  ObjectAlreadyExistsError,
  StorageError,
} from '../../core/errors/fennflow.errors';
import { validateNamespace } from '../../core/paths/namespace';
import { RESERVED_PREFIX } from '../../core/paths/storage-path';
import {
  httpStatusOf,
  isNoSuchKey,
  isNotImplemented,
  isPreconditionFailed,
  sdkErrorName,
  toS3StorageError,
} from './s3-errors';
import { decodeMetadata, encodeMetadata } from './s3-metadata';
import type { S3Sdk } from './s3-sdk';

/**
 * How `ifNoneMatch` is enforced. `native` sends `If-None-Match: *` (AWS S3, MinIO, R2);
 * `check-first` sends a HeadObject before the write, which cannot stop a concurrent writer
 * that creates the key between the two calls; `auto` probes each bucket once.
 */
export type S3ConditionalWrites = 'auto' | 'native' | 'check-first';

export interface S3ConnectorSettings {
  readonly ownsClient: boolean;
  readonly createBuckets: boolean;
  readonly conditionalWrites: S3ConditionalWrites;
  readonly partSize: number;
  readonly queueSize: number;
}

const MAX_DELETE_BATCH = 1000;
const DEFAULT_PRESIGN_SECONDS = 900;
/** SigV4 presigned URLs live at most 7 days. */
const MAX_PRESIGN_SECONDS = 604_800;
const DEFAULT_MEDIA_TYPE = 'application/octet-stream';

/** Objects in S3 or an S3-compatible store, through the AWS SDK v3. */
export class S3Connector extends FennFlowConnector {
  readonly kind = 's3';
  private readonly conditionalModes = new Map<
    string,
    Promise<'native' | 'check-first'>
  >();

  constructor(
    private readonly sdk: S3Sdk,
    readonly client: S3Client,
    private readonly settings: S3ConnectorSettings,
  ) {
    super();
  }

  /** Destroys the client unless the user handed it in. */
  override async close(): Promise<void> {
    if (this.settings.ownsClient) this.client.destroy();
  }

  /** Checks the bucket exists (HeadBucket), creating it when `createBuckets` is set. */
  override async ensureNamespace(namespace: string): Promise<void> {
    const bucket = validateNamespace(namespace);
    const { HeadBucketCommand, CreateBucketCommand } = this.sdk.s3;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
      return;
    } catch (error) {
      const missing =
        httpStatusOf(error) === 404 ||
        ['NotFound', 'NoSuchBucket'].includes(sdkErrorName(error) ?? '');
      if (!missing) throw toS3StorageError(error, 'HeadBucket on', bucket);
      if (!this.settings.createBuckets) {
        throw new ConfigurationError(
          `The S3 bucket '${bucket}' does not exist. Create it, or pass createBuckets: true to S3ConnectorConfig to let FennFlow create missing buckets.`,
          { cause: error },
        );
      }
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      if (sdkErrorName(error) !== 'BucketAlreadyOwnedByYou') {
        throw toS3StorageError(error, 'CreateBucket', bucket);
      }
    }
  }

  override validateKey(namespace: string): void {
    validateNamespace(namespace);
  }

  async putObject(
    namespace: string,
    key: string,
    body: ObjectBody,
    options: PutObjectOptions,
  ): Promise<PutObjectResult> {
    const params = {
      Bucket: namespace,
      Key: key,
      ContentType: options.mediaType,
      Metadata: encodeMetadata(options.metadata),
    };
    try {
      if (!options.ifNoneMatch) return await this.upload(params, body, false);
      let mode = await this.conditionalMode(namespace);
      if (mode === 'native') {
        try {
          return await this.upload(params, body, true);
        } catch (error) {
          if (!rejectsConditionalWrites(error) || !Buffer.isBuffer(body)) {
            throw error;
          }
          this.conditionalModes.set(namespace, Promise.resolve('check-first'));
          mode = 'check-first';
        }
      }
      // The server ignores or refuses If-None-Match: check, then write. A writer that creates
      // the key between the two calls is overwritten; the unit of work's record locks keep
      // FennFlow's own sessions from racing here, other writers to the bucket are not covered.
      if (await this.headObject(namespace, key)) {
        throw new ObjectAlreadyExistsError(namespace, key);
      }
      return await this.upload(params, body, false);
    } catch (error) {
      if (isPreconditionFailed(error)) {
        throw new ObjectAlreadyExistsError(namespace, key);
      }
      throw toS3StorageError(error, 'PutObject of', namespace, key);
    }
  }

  async getObject(namespace: string, key: string): Promise<StoredObject> {
    const { GetObjectCommand } = this.sdk.s3;
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: namespace, Key: key }),
      );
      return { ...headOf(key, out), body: asReadable(out.Body) };
    } catch (error) {
      if (isNoSuchKey(error)) {
        throw new NoSuchKeyError(namespace, key, { cause: error });
      }
      throw toS3StorageError(error, 'GetObject of', namespace, key);
    }
  }

  async headObject(namespace: string, key: string): Promise<ObjectHead | null> {
    const { HeadObjectCommand } = this.sdk.s3;
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: namespace, Key: key }),
      );
      return headOf(key, out);
    } catch (error) {
      if (isNoSuchKey(error)) return null;
      throw toS3StorageError(error, 'HeadObject of', namespace, key);
    }
  }

  /** Server-side copy; content type and metadata travel with MetadataDirective COPY. */
  async copyObject(
    from: ObjectLocation,
    to: ObjectLocation,
  ): Promise<PutObjectResult> {
    const { CopyObjectCommand } = this.sdk.s3;
    try {
      const out = await this.client.send(
        new CopyObjectCommand({
          Bucket: to.namespace,
          Key: to.key,
          CopySource: `${from.namespace}/${from.key
            .split('/')
            .map(encodeURIComponent)
            .join('/')}`,
          MetadataDirective: 'COPY',
        }),
      );
      const head = await this.headObject(to.namespace, to.key);
      return {
        etag: cleanEtag(out.CopyObjectResult?.ETag) || (head?.etag ?? ''),
        size: head?.size ?? 0,
      };
    } catch (error) {
      if (isNoSuchKey(error)) {
        throw new NoSuchKeyError(from.namespace, from.key, { cause: error });
      }
      throw toS3StorageError(error, 'CopyObject to', to.namespace, to.key);
    }
  }

  /** DeleteObjects in batches of 1000; per-key errors in the response are raised. */
  async deleteObjects(
    namespace: string,
    keys: readonly string[],
  ): Promise<void> {
    const { DeleteObjectsCommand } = this.sdk.s3;
    for (let i = 0; i < keys.length; i += MAX_DELETE_BATCH) {
      const batch = keys.slice(i, i + MAX_DELETE_BATCH);
      let out;
      try {
        out = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: namespace,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
      } catch (error) {
        throw toS3StorageError(error, 'DeleteObjects in', namespace);
      }
      const failures = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failures.length > 0) {
        throw new StorageError(
          `S3 DeleteObjects in bucket '${namespace}' failed for ${failures.length} key(s): ${failures
            .slice(0, 5)
            .map((e) => `'${e.Key}' (${e.Code}: ${e.Message})`)
            .join(', ')}${failures.length > 5 ? ', …' : ''}.`,
          { cause: failures },
        );
      }
    }
  }

  /**
   * ListObjectsV2 from `StartAfter` = the cursor, so the cursor is the last key returned,
   * as on every connector; S3 lists in UTF-8 byte order, which is code-point order.
   */
  async listObjects(
    namespace: string,
    options: ListObjectsOptions = {},
  ): Promise<ObjectListing> {
    const limit = listLimitOf(options);
    const { ListObjectsV2Command } = this.sdk.s3;
    try {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: namespace,
          Prefix: options.prefix || undefined,
          StartAfter: options.cursor ?? undefined,
          MaxKeys: limit,
        }),
      );
      const objects = (out.Contents ?? []).map((object) => ({
        key: object.Key ?? '',
        size: object.Size ?? 0,
        etag: cleanEtag(object.ETag),
        lastModified: object.LastModified ?? new Date(),
      }));
      const last = objects[objects.length - 1];
      return { objects, cursor: out.IsTruncated && last ? last.key : null };
    } catch (error) {
      throw toS3StorageError(error, 'ListObjectsV2 of', namespace);
    }
  }

  /**
   * Aborts the multipart uploads of the bucket initiated before `olderThan` (ListMultipartUploads,
   * then AbortMultipartUpload each): an upload whose process died keeps its parts, billed and
   * invisible, until aborted. A server that does not implement ListMultipartUploads (s3rver
   * answers 501 NotImplemented) has nothing FennFlow can find, and 0 is returned.
   */
  override async removeAbandonedUploads(
    namespace: string,
    olderThan: Date,
    options: RemoveAbandonedUploadsOptions = {},
  ): Promise<number> {
    const { ListMultipartUploadsCommand, AbortMultipartUploadCommand } =
      this.sdk.s3;
    let removed = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      let out;
      try {
        out = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: namespace,
            Prefix: options.key,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
      } catch (error) {
        if (isNotImplemented(error)) return 0;
        throw toS3StorageError(error, 'ListMultipartUploads of', namespace);
      }
      for (const upload of out.Uploads ?? []) {
        const { Key, UploadId, Initiated } = upload;
        if (!Key || !UploadId || !Initiated) continue;
        if (options.key !== undefined && Key !== options.key) continue;
        if (Initiated.getTime() >= olderThan.getTime()) continue;
        if (!options.dryRun) {
          try {
            await this.client.send(
              new AbortMultipartUploadCommand({
                Bucket: namespace,
                Key,
                UploadId,
              }),
            );
          } catch (error) {
            // Completed or aborted since the listing: nothing left to remove.
            if (sdkErrorName(error) === 'NoSuchUpload') continue;
            throw toS3StorageError(
              error,
              'AbortMultipartUpload of',
              namespace,
              Key,
            );
          }
        }
        removed++;
      }
      if (!out.IsTruncated || !out.NextKeyMarker) return removed;
      keyMarker = out.NextKeyMarker;
      uploadIdMarker = out.NextUploadIdMarker;
    }
  }

  override get canSignUrls(): boolean {
    return true;
  }

  /** A presigned GET URL; `expiresIn` in seconds, 900 by default, at most 7 days. */
  override async presignGetUrl(
    namespace: string,
    key: string,
    options: PresignOptions = {},
  ): Promise<string> {
    const expiresIn = options.expiresIn ?? DEFAULT_PRESIGN_SECONDS;
    if (
      !Number.isInteger(expiresIn) ||
      expiresIn < 1 ||
      expiresIn > MAX_PRESIGN_SECONDS
    ) {
      throw new InvalidArgumentError(
        `expiresIn must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS}, got ${expiresIn}.`,
      );
    }
    const { GetObjectCommand } = this.sdk.s3;
    try {
      return await this.sdk.presigner.getSignedUrl(
        this.client,
        new GetObjectCommand({ Bucket: namespace, Key: key }),
        { expiresIn },
      );
    } catch (error) {
      throw toS3StorageError(error, 'presigning', namespace, key);
    }
  }

  /**
   * Buffers up to one part go out as one PutObject; streams and larger buffers go through
   * lib-storage's Upload (multipart, parts aborted on failure), read once, never buffered
   * beyond `queueSize` parts.
   */
  private async upload(
    params: {
      Bucket: string;
      Key: string;
      ContentType: string;
      Metadata: Record<string, string>;
    },
    body: ObjectBody,
    ifNoneMatch: boolean,
  ): Promise<PutObjectResult> {
    const condition = ifNoneMatch ? { IfNoneMatch: '*' } : {};
    if (Buffer.isBuffer(body) && body.length <= this.settings.partSize) {
      const out = await this.client.send(
        new this.sdk.s3.PutObjectCommand({
          ...params,
          ...condition,
          Body: body,
          ContentLength: body.length,
        }),
      );
      return {
        etag:
          cleanEtag(out.ETag) || createHash('md5').update(body).digest('hex'),
        size: body.length,
      };
    }
    let size = 0;
    let bodyError: unknown;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(null, chunk);
      },
    });
    const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
    pipeline(source, counted, (error) => {
      if (error) bodyError ??= error;
    });
    const upload = new this.sdk.storage.Upload({
      client: this.client,
      params: { ...params, ...condition, Body: counted },
      partSize: this.settings.partSize,
      queueSize: this.settings.queueSize,
      leavePartsOnError: false,
    });
    try {
      const out = await upload.done();
      return { etag: cleanEtag(out.ETag), size };
    } catch (error) {
      counted.destroy();
      // Report the body's own failure rather than an error of the abort that followed it.
      if (bodyError !== undefined && !isPreconditionFailed(error)) {
        throw new StorageError(
          `Reading the body of '${params.Key}' for bucket '${params.Bucket}' failed: ${(bodyError as Error).message ?? String(bodyError)}; the upload was aborted.`,
          { cause: bodyError },
        );
      }
      throw error;
    }
  }

  private conditionalMode(bucket: string): Promise<'native' | 'check-first'> {
    if (this.settings.conditionalWrites !== 'auto') {
      return Promise.resolve(this.settings.conditionalWrites);
    }
    let mode = this.conditionalModes.get(bucket);
    if (!mode) {
      mode = this.probeConditionalWrites(bucket);
      this.conditionalModes.set(bucket, mode);
      mode.catch(() => this.conditionalModes.delete(bucket));
    }
    return mode;
  }

  /**
   * Writes a probe object under FennFlow's reserved prefix twice, the second time with
   * `If-None-Match: *`, and removes it: a 412 means the server enforces the header.
   */
  private async probeConditionalWrites(
    bucket: string,
  ): Promise<'native' | 'check-first'> {
    const { PutObjectCommand, DeleteObjectCommand } = this.sdk.s3;
    const Key = `${RESERVED_PREFIX}if-none-match-probe-${randomUUID()}`;
    const probe = { Bucket: bucket, Key, Body: Buffer.alloc(0) };
    await this.client.send(new PutObjectCommand(probe));
    try {
      await this.client.send(
        new PutObjectCommand({ ...probe, IfNoneMatch: '*' }),
      );
      return 'check-first';
    } catch (error) {
      if (isPreconditionFailed(error)) return 'native';
      if (rejectsConditionalWrites(error)) return 'check-first';
      throw error;
    } finally {
      await this.client
        .send(new DeleteObjectCommand({ Bucket: bucket, Key }))
        .catch(() => undefined);
    }
  }
}

/** The server refused the If-None-Match header itself (rather than the write). */
function rejectsConditionalWrites(error: unknown): boolean {
  const name = sdkErrorName(error);
  return (
    httpStatusOf(error) === 501 ||
    name === 'NotImplemented' ||
    (name === 'InvalidArgument' &&
      /if-none-match/i.test((error as Error).message ?? ''))
  );
}

function cleanEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/"/g, '');
}

function asReadable(body: unknown): Readable {
  if (body instanceof Readable) return body;
  const web = body as { transformToWebStream?: () => ReadableStream } | null;
  if (web?.transformToWebStream) {
    return Readable.fromWeb(
      web.transformToWebStream() as import('node:stream/web').ReadableStream,
    );
  }
  return Readable.from([]);
}

/** The head of an object from a GetObject or HeadObject answer. */
function headOf(
  key: string,
  out: {
    ContentLength?: number;
    ETag?: string;
    LastModified?: Date;
    ContentType?: string;
    Metadata?: Record<string, string>;
  },
): ObjectHead {
  return {
    key,
    size: out.ContentLength ?? 0,
    etag: cleanEtag(out.ETag),
    lastModified: out.LastModified ?? new Date(),
    mediaType: out.ContentType ?? DEFAULT_MEDIA_TYPE,
    metadata: decodeMetadata(out.Metadata),
  };
}
