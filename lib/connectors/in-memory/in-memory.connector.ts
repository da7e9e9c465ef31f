import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  FennFlowConnector,
  listLimitOf,
  ListObjectsOptions,
  ObjectBody,
  ObjectHead,
  ObjectListing,
  ObjectLocation,
  PutObjectOptions,
  PutObjectResult,
  StoredObject,
} from '../../core/connector/fennflow-connector';
import { comparePaths } from '../../core/backend/compare-paths';
import {
  NoSuchKeyError,
  ObjectAlreadyExistsError,
} from '../../core/errors/fennflow.errors';

interface MemoryObject {
  readonly data: Buffer;
  readonly mediaType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly etag: string;
  readonly lastModified: Date;
}

type Bucket = Map<string, MemoryObject>;

/** Process-wide: connectors naming the same store see the same bytes. */
const stores = new Map<string, Map<string, Bucket>>();

/** Objects in this process's memory, for tests and the default setup. Cannot sign URLs. */
export class InMemoryConnector extends FennFlowConnector {
  readonly kind = 'in-memory';

  constructor(readonly store: string) {
    super();
  }

  /** Forgets the objects of one store, or of all stores. Meant for tests. */
  static reset(store?: string): void {
    if (store === undefined) stores.clear();
    else stores.delete(store);
  }

  private bucket(namespace: string): Bucket {
    let buckets = stores.get(this.store);
    if (!buckets) {
      buckets = new Map();
      stores.set(this.store, buckets);
    }
    let bucket = buckets.get(namespace);
    if (!bucket) {
      bucket = new Map();
      buckets.set(namespace, bucket);
    }
    return bucket;
  }

  async putObject(
    namespace: string,
    key: string,
    body: ObjectBody,
    options: PutObjectOptions,
  ): Promise<PutObjectResult> {
    const data = Buffer.isBuffer(body)
      ? Buffer.from(body)
      : await readAll(body);
    const bucket = this.bucket(namespace);
    if (options.ifNoneMatch && bucket.has(key)) {
      throw new ObjectAlreadyExistsError(namespace, key);
    }
    const etag = createHash('md5').update(data).digest('hex');
    bucket.set(key, {
      data,
      mediaType: options.mediaType,
      metadata: { ...options.metadata },
      etag,
      lastModified: new Date(),
    });
    return { etag, size: data.length };
  }

  async getObject(namespace: string, key: string): Promise<StoredObject> {
    const object = this.requireObject(namespace, key);
    return { ...headOf(key, object), body: Readable.from([object.data]) };
  }

  async headObject(namespace: string, key: string): Promise<ObjectHead | null> {
    const object = this.bucket(namespace).get(key);
    return object ? headOf(key, object) : null;
  }

  async copyObject(
    from: ObjectLocation,
    to: ObjectLocation,
  ): Promise<PutObjectResult> {
    const object = this.requireObject(from.namespace, from.key);
    this.bucket(to.namespace).set(to.key, {
      ...object,
      lastModified: new Date(),
    });
    return { etag: object.etag, size: object.data.length };
  }

  async deleteObjects(
    namespace: string,
    keys: readonly string[],
  ): Promise<void> {
    const bucket = this.bucket(namespace);
    for (const key of keys) bucket.delete(key);
  }

  async listObjects(
    namespace: string,
    options: ListObjectsOptions = {},
  ): Promise<ObjectListing> {
    const prefix = options.prefix ?? '';
    const limit = listLimitOf(options);
    const after = options.cursor ?? null;
    const keys = [...this.bucket(namespace).keys()]
      .filter(
        (key) =>
          key.startsWith(prefix) &&
          (after === null || comparePaths(key, after) > 0),
      )
      .sort(comparePaths);
    const page = keys.slice(0, limit);
    const bucket = this.bucket(namespace);
    return {
      objects: page.map((key) => {
        const object = bucket.get(key) as MemoryObject;
        return {
          key,
          size: object.data.length,
          etag: object.etag,
          lastModified: object.lastModified,
        };
      }),
      cursor:
        keys.length > limit && page.length > 0 ? page[page.length - 1] : null,
    };
  }

  private requireObject(namespace: string, key: string): MemoryObject {
    const object = this.bucket(namespace).get(key);
    if (!object) throw new NoSuchKeyError(namespace, key);
    return object;
  }
}

function headOf(key: string, object: MemoryObject): ObjectHead {
  return {
    key,
    size: object.data.length,
    etag: object.etag,
    lastModified: object.lastModified,
    mediaType: object.mediaType,
    metadata: { ...object.metadata },
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(
      Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array),
    );
  }
  return Buffer.concat(chunks);
}
