import { ContentTypeError } from '../errors/fennflow.errors';

/** Encodings a TextContent can be stored in. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'latin1';

const ALIASES: Readonly<Record<string, TextEncoding>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-16le': 'utf-16le',
  utf16le: 'utf-16le',
  latin1: 'latin1',
  'iso-8859-1': 'latin1',
};

const NODE_ENCODINGS: Readonly<Record<TextEncoding, BufferEncoding>> = {
  'utf-8': 'utf8',
  'utf-16le': 'utf16le',
  latin1: 'latin1',
};

/** The canonical name of a supported encoding (case-insensitive aliases), or `undefined`. */
export function parseTextEncoding(name: string): TextEncoding | undefined {
  return ALIASES[name.trim().toLowerCase()];
}

export function requireTextEncoding(name: string, kind: string): TextEncoding {
  const encoding = parseTextEncoding(name);
  if (!encoding) {
    throw new ContentTypeError(
      `${kind}: unsupported text encoding '${name}'; use one of ${Object.keys(NODE_ENCODINGS).join(', ')}.`,
    );
  }
  return encoding;
}

export function nodeEncoding(encoding: TextEncoding): BufferEncoding {
  return NODE_ENCODINGS[encoding];
}
