import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { AudioContent } from './audio.content';
import { BinaryContent } from './binary.content';
import type { Content, ContentInit, ContentOptions } from './content';
import { bufferInit } from './content-init';
import { DocumentContent } from './document.content';
import { ImageContent } from './image.content';
import { JsonContent } from './json.content';
import { parseMediaType } from './media-types';
import { TextContent } from './text.content';
import { VideoContent } from './video.content';

/** A content class as `contentFromStored` builds it: from resolved fields, typed fields read from metadata. */
export interface RestorableContentClass {
  restore(init: ContentInit): Content;
}

const BY_MEDIA_TYPE: Readonly<Record<string, RestorableContentClass>> = {
  'text/plain': TextContent,
  'application/json': JsonContent,
  'application/pdf': DocumentContent,
  'application/rtf': DocumentContent,
  'application/msword': DocumentContent,
  'application/vnd.ms-excel': DocumentContent,
  'application/vnd.ms-powerpoint': DocumentContent,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document':
    DocumentContent,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet':
    DocumentContent,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation':
    DocumentContent,
  'application/vnd.oasis.opendocument.text': DocumentContent,
  'application/vnd.oasis.opendocument.spreadsheet': DocumentContent,
  'application/vnd.oasis.opendocument.presentation': DocumentContent,
};

const BY_PREFIX: ReadonlyArray<readonly [string, RestorableContentClass]> = [
  ['text/', TextContent],
  ['image/', ImageContent],
  ['audio/', AudioContent],
  ['video/', VideoContent],
];

/** The richest class for a media type: exact match, then `text/` `image/` `audio/` `video/`, else BinaryContent. */
export function contentClassForMediaType(
  mediaType: string,
): RestorableContentClass {
  const essence = safeEssence(mediaType);
  const exact = BY_MEDIA_TYPE[essence];
  if (exact) return exact;
  for (const [prefix, cls] of BY_PREFIX) {
    if (essence.startsWith(prefix)) return cls;
  }
  return BinaryContent;
}

export interface StoredContent {
  readonly filename: string;
  readonly mediaType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly size?: number;
  /** The bytes, or a function opening them; it is called only when the bytes are asked for. */
  readonly body: Buffer | (() => Readable);
}

/**
 * Rebuilds the content of a stored object: filename and media type are taken as stored (no
 * inference), typed fields such as an image's width come back out of the metadata.
 */
export function contentFromStored(stored: StoredContent): Content {
  const mediaType = safeEssence(stored.mediaType);
  const { body } = stored;
  const init: ContentInit = {
    filename: stored.filename,
    mediaType,
    metadata: { ...stored.metadata },
    size: stored.size ?? (Buffer.isBuffer(body) ? body.length : undefined),
    source: Buffer.isBuffer(body)
      ? { kind: 'buffer', data: body }
      : { kind: 'lazy', open: body },
  };
  return contentClassForMediaType(mediaType).restore(init);
}

/**
 * Reads a local file into the richest class for its media type (guessed from the name unless
 * given). Use `BinaryContent.fromFile` to always get a BinaryContent.
 */
export async function contentFromFile(
  path: string,
  opts: ContentOptions = {},
): Promise<Content> {
  const data = await readFile(path);
  const { init } = bufferInit(
    data,
    { ...opts, filename: opts.filename ?? basename(path) },
    'contentFromFile',
  );
  return contentClassForMediaType(init.mediaType).restore(init);
}

// Objects written by other tools may carry odd media types; reading them must not fail.
function safeEssence(mediaType: string): string {
  try {
    return parseMediaType(mediaType).essence;
  } catch {
    return 'application/octet-stream';
  }
}
