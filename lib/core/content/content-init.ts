import { ContentTypeError } from '../errors/fennflow.errors';
import type { ContentInit, ContentOptions } from './content';
import { resolveNaming, type Naming } from './media-types';

/** Typed fields are stored under these metadata keys, so user metadata cannot use them. */
export function assertNoReservedKeys(
  metadata: Readonly<Record<string, string>> | undefined,
  reserved: readonly string[],
  kind: string,
): void {
  if (!metadata || typeof metadata !== 'object') return;
  for (const key of reserved) {
    if (Object.prototype.hasOwnProperty.call(metadata, key)) {
      throw new ContentTypeError(
        `${kind}: the metadata key '${key}' is reserved for the typed field of the same name; pass it as the option { ${key} } instead.`,
      );
    }
  }
}

export function toBuffer(data: Buffer | Uint8Array, kind: string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) {
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new ContentTypeError(`${kind}: data must be a Buffer or Uint8Array.`);
}

/** Resolves naming for in-memory bytes and returns the init for a content constructor. */
export function bufferInit(
  data: Buffer,
  opts: ContentOptions,
  kind: string,
  reserved: readonly string[] = [],
  defaultMediaType?: string,
): { init: ContentInit; naming: Naming } {
  assertNoReservedKeys(opts.metadata, reserved, kind);
  const naming = resolveNaming({
    filename: opts.filename,
    mediaType: opts.mediaType,
    defaultMediaType,
    data,
    kind,
  });
  return {
    naming,
    init: {
      filename: naming.filename,
      mediaType: naming.mediaType,
      metadata: opts.metadata ?? {},
      size: data.length,
      source: { kind: 'buffer', data },
    },
  };
}

/** Image/audio/video contents keep their typed fields only under their own top-level type. */
export function assertTopLevelType(
  mediaType: string,
  topLevel: string,
  kind: string,
): void {
  if (!mediaType.startsWith(`${topLevel}/`)) {
    throw new ContentTypeError(
      `${kind} needs a '${topLevel}/*' media type, got '${mediaType}'; use BinaryContent for other media.`,
    );
  }
}
