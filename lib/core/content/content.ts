import { Readable } from 'node:stream';
import { ContentTypeError } from '../errors/fennflow.errors';
import { extensionOf } from './media-types';

/** Where a content's bytes come from. */
export type ContentSource =
  | { readonly kind: 'buffer'; readonly data: Buffer }
  /** Opened on demand, possibly more than once (content read back from storage). */
  | { readonly kind: 'lazy'; readonly open: () => Readable }
  /** A stream that can be read once. */
  | { readonly kind: 'stream'; readonly stream: Readable };

/** The resolved fields every content is built from; use the classes' static `from` instead. */
export interface ContentInit {
  readonly filename: string;
  readonly mediaType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly size: number | undefined;
  readonly source: ContentSource;
}

/** Options shared by every content factory. */
export interface ContentOptions {
  /** May contain `/` (sub-folders). Defaults to the sha256 of the bytes plus the media type's extension. */
  readonly filename?: string;
  /** Guessed from the filename when omitted; parameters such as `; charset=utf-8` are dropped. */
  readonly mediaType?: string;
  /** String values only; stored with the object and restored on read. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export abstract class Content {
  readonly filename: string;
  readonly mediaType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly size: number | undefined;

  #source: ContentSource;
  #cached: Buffer | undefined;
  #pending: Promise<Buffer> | undefined;
  #streamTakenBy: string | undefined;

  protected constructor(init: ContentInit) {
    this.filename = init.filename;
    this.mediaType = init.mediaType;
    this.metadata = Object.freeze(
      validateMetadata(init.metadata, this.constructor.name),
    );
    this.size = init.size;
    this.#source = init.source;
  }

  /** The lower-cased extension without the dot (`env` for `.env`), or `''` when there is none. */
  get extension(): string {
    return extensionOf(this.filename) ?? '';
  }

  /** What the connector uploads: a Buffer when in memory, otherwise a stream. */
  body(): Buffer | Readable {
    const source = this.#source;
    if (source.kind === 'buffer') return source.data;
    if (this.#cached) return this.#cached;
    if (source.kind === 'lazy') return source.open();
    return this.#takeStream('body()');
  }

  async bytes(): Promise<Buffer> {
    const source = this.#source;
    if (source.kind === 'buffer') return source.data;
    if (this.#cached) return this.#cached;
    if (!this.#pending) {
      const readable =
        source.kind === 'lazy' ? source.open() : this.#takeStream('bytes()');
      this.#pending = readAll(readable).then(
        (data) => {
          this.#cached = data;
          return data;
        },
        (err: unknown) => {
          // A lazy body can be opened again; a one-shot stream cannot.
          if (source.kind === 'lazy') this.#pending = undefined;
          throw err;
        },
      );
    }
    return this.#pending;
  }

  /** The bytes decoded as UTF-8. */
  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  async json<T = unknown>(): Promise<T> {
    const text = await this.text();
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new ContentTypeError(
        `'${this.filename}' is not valid JSON: ${err instanceof Error ? err.message : String(err)}.`,
      );
    }
  }

  /** A fresh readable over the bytes (for a StreamContent, the one stream it wraps). */
  stream(): Readable {
    const source = this.#source;
    const data = source.kind === 'buffer' ? source.data : this.#cached;
    if (data) return Readable.from([data], { objectMode: false });
    if (source.kind === 'lazy') return source.open();
    return this.#takeStream('stream()');
  }

  /** Metadata to store with the object: user metadata plus the class's typed fields. */
  storageMetadata(): Record<string, string> {
    return { ...this.metadata };
  }

  #takeStream(by: string): Readable {
    const source = this.#source;
    if (source.kind !== 'stream')
      throw new Error('unreachable: not a stream source');
    if (this.#streamTakenBy !== undefined) {
      throw new ContentTypeError(
        `The stream of '${this.filename}' was already consumed by ${this.#streamTakenBy}; a stream can be read only once. Build a new StreamContent, or use BinaryContent to read the bytes more than once.`,
      );
    }
    this.#streamTakenBy = by;
    return source.stream;
  }
}

async function readAll(readable: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of readable as AsyncIterable<unknown>) {
    if (Buffer.isBuffer(chunk)) chunks.push(chunk);
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    else if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, 'utf8'));
    else
      throw new ContentTypeError(
        `A content stream yielded a non-byte chunk (${typeof chunk}).`,
      );
  }
  return Buffer.concat(chunks);
}

function validateMetadata(
  metadata: Readonly<Record<string, string>> | undefined,
  kind: string,
): Record<string, string> {
  if (metadata === undefined) return {};
  if (
    metadata === null ||
    typeof metadata !== 'object' ||
    Array.isArray(metadata)
  ) {
    throw new ContentTypeError(
      `${kind}: metadata must be an object of string values.`,
    );
  }
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key === '')
      throw new ContentTypeError(`${kind}: metadata keys must not be empty.`);
    if (typeof value !== 'string') {
      throw new ContentTypeError(
        `${kind}: metadata value for '${key}' must be a string, got ${value === null ? 'null' : typeof value}; convert it with String(value).`,
      );
    }
    copy[key] = value;
  }
  return copy;
}
