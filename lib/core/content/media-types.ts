import { createHash } from 'node:crypto';
import * as mime from 'mime-types';
import { ContentTypeError, InvalidPathError } from '../errors/fennflow.errors';

/**
 * The few places where FennFlow's naming differs from mime-db (kept in step with upstream).
 * Everything else comes from the `mime-types` package.
 */
const EXTENSION_TO_MEDIA_TYPE: Readonly<Record<string, string>> = {
  py: 'text/x-python',
  ts: 'text/typescript',
  flac: 'audio/flac',
  env: 'text/plain',
  gitignore: 'text/plain',
  gitattributes: 'text/plain',
  dockerignore: 'text/plain',
  editorconfig: 'text/plain',
  npmrc: 'text/plain',
};

const MEDIA_TYPE_TO_EXTENSION: Readonly<Record<string, string>> = {
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/aac': 'aac',
  'audio/webm': 'webm',
  'audio/flac': 'flac',
  'video/quicktime': 'mov',
  'text/x-python': 'py',
  'text/typescript': 'ts',
};

const MEDIA_TYPE_PATTERN = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

export interface ParsedMediaType {
  /** `type/subtype`, lower-cased, without parameters. */
  readonly essence: string;
  /** Parameters with lower-cased names, e.g. `{ charset: 'utf-8' }`. */
  readonly parameters: Readonly<Record<string, string>>;
}

/** Splits `text/plain; charset=utf-8` into its essence and parameters; throws on malformed input. */
export function parseMediaType(mediaType: string): ParsedMediaType {
  const [head = '', ...params] = mediaType.split(';');
  const essence = head.trim().toLowerCase();
  if (!MEDIA_TYPE_PATTERN.test(essence)) {
    throw new ContentTypeError(
      `Invalid media type ${JSON.stringify(mediaType)}: expected 'type/subtype', e.g. 'text/plain'.`,
    );
  }
  const parameters: Record<string, string> = {};
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq <= 0) continue;
    const name = param.slice(0, eq).trim().toLowerCase();
    const value = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name) parameters[name] = value;
  }
  return { essence, parameters };
}

/** The media type without parameters: `text/plain; charset=utf-8` → `text/plain`. */
export function normalizeMediaType(mediaType: string): string {
  return parseMediaType(mediaType).essence;
}

/** The part of a filename after its last `/`. */
export function baseName(filename: string): string {
  return filename.slice(filename.lastIndexOf('/') + 1);
}

/**
 * The lower-cased extension of a filename without the dot, or `undefined`.
 * A dotfile such as `.env` counts as having the extension `env`.
 */
export function extensionOf(filename: string): string | undefined {
  const base = baseName(filename);
  const dot = base.lastIndexOf('.');
  if (dot < 0 || dot === base.length - 1) return undefined;
  return base.slice(dot + 1).toLowerCase();
}

/** Guesses the media type from a filename's extension, or `undefined` when unknown. */
export function mediaTypeFromFilename(filename: string): string | undefined {
  const ext = extensionOf(filename);
  if (ext === undefined) return undefined;
  return EXTENSION_TO_MEDIA_TYPE[ext] ?? (mime.lookup(ext) || undefined);
}

/** The preferred extension (without the dot) for a media type, or `undefined` when unknown. */
export function extensionForMediaType(mediaType: string): string | undefined {
  const essence = normalizeMediaType(mediaType);
  return (
    MEDIA_TYPE_TO_EXTENSION[essence] ?? (mime.extension(essence) || undefined)
  );
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface NamingInput {
  readonly filename?: string;
  readonly mediaType?: string;
  /** Used when no media type is given and none can be guessed from the filename (e.g. `text/plain` for text). */
  readonly defaultMediaType?: string;
  /** The bytes to hash for a default filename; `undefined` when they are not available (streams). */
  readonly data?: Buffer;
  /** Class name for messages. */
  readonly kind: string;
}

export interface Naming {
  readonly filename: string;
  readonly mediaType: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * Infers a missing filename or media type from the other (upstream rules): no filename →
 * sha256 of the bytes; no media type → guessed from the extension; a filename without an
 * extension gets the media type's extension appended.
 */
export function resolveNaming(input: NamingInput): Naming {
  const { filename, kind } = input;
  if (filename !== undefined) {
    if (typeof filename !== 'string') {
      throw new ContentTypeError(`${kind}: filename must be a string.`);
    }
    if (filename === '')
      throw new InvalidPathError('', 'the filename is empty');
    if (baseName(filename) === '') {
      throw new InvalidPathError(
        filename,
        'the filename has no name after its last "/"',
      );
    }
  }
  if (input.mediaType !== undefined && typeof input.mediaType !== 'string') {
    throw new ContentTypeError(`${kind}: mediaType must be a string.`);
  }

  let parsed: ParsedMediaType | undefined =
    input.mediaType !== undefined ? parseMediaType(input.mediaType) : undefined;
  if (!parsed && filename !== undefined) {
    const guessed = mediaTypeFromFilename(filename) ?? input.defaultMediaType;
    if (!guessed) {
      throw new ContentTypeError(
        `${kind}: cannot guess a media type from the filename '${filename}'; pass { mediaType }.`,
      );
    }
    parsed = parseMediaType(guessed);
  }
  if (!parsed && input.defaultMediaType !== undefined) {
    parsed = parseMediaType(input.defaultMediaType);
  }
  if (!parsed) {
    throw new ContentTypeError(
      `${kind}: neither a filename nor a media type was given; pass { filename } or { mediaType }.`,
    );
  }

  let name: string;
  if (filename !== undefined) {
    name = filename;
  } else if (input.data !== undefined) {
    name = sha256Hex(input.data);
  } else {
    throw new ContentTypeError(
      `${kind}: a filename is required because a stream cannot be hashed before it is read; pass { filename }.`,
    );
  }

  if (extensionOf(name) === undefined) {
    const ext = extensionForMediaType(parsed.essence);
    if (!ext) {
      throw new ContentTypeError(
        `${kind}: no file extension is known for the media type '${parsed.essence}'; pass a filename with an extension.`,
      );
    }
    name = name.endsWith('.') ? `${name}${ext}` : `${name}.${ext}`;
  }
  return {
    filename: name,
    mediaType: parsed.essence,
    parameters: parsed.parameters,
  };
}
