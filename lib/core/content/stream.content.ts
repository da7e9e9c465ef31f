import { Readable } from 'node:stream';
import { ContentTypeError } from '../errors/fennflow.errors';
import { Content, type ContentInit, type ContentOptions } from './content';
import { resolveNaming } from './media-types';

export interface StreamContentOptions extends ContentOptions {
  /** Byte length when known in advance (lets S3 skip multipart uploads for small bodies). */
  readonly size?: number;
}

const KIND = 'StreamContent';

/**
 * Bytes from a stream, uploaded without holding the whole file in memory. The stream can be
 * read once: `body()`, `stream()` and `bytes()` share it.
 */
export class StreamContent extends Content {
  /** Prefer the static factory; this takes already-resolved fields. */
  constructor(init: ContentInit) {
    super(init);
  }

  /** A filename is required: the stream cannot be hashed for a default name before it is read. */
  static from(
    source: Readable | AsyncIterable<Uint8Array>,
    opts: StreamContentOptions = {},
  ): StreamContent {
    const stream = toReadable(source);
    const naming = resolveNaming({
      filename: opts.filename,
      mediaType: opts.mediaType,
      kind: KIND,
    });
    const { size } = opts;
    if (
      size !== undefined &&
      (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    ) {
      throw new ContentTypeError(
        `${KIND}: size must be a non-negative integer, got ${String(size)}.`,
      );
    }
    return new StreamContent({
      filename: naming.filename,
      mediaType: naming.mediaType,
      metadata: opts.metadata ?? {},
      size,
      source: { kind: 'stream', stream },
    });
  }
}

function toReadable(source: Readable | AsyncIterable<Uint8Array>): Readable {
  if (source instanceof Readable) return source;
  if (
    source !== null &&
    typeof source === 'object' &&
    Symbol.asyncIterator in source
  ) {
    return Readable.from(source, { objectMode: false });
  }
  throw new ContentTypeError(
    `${KIND}.from expects a Readable or an async iterable of bytes.`,
  );
}
