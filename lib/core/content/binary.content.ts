import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Content, type ContentInit, type ContentOptions } from './content';
import { bufferInit, toBuffer } from './content-init';

/** Bytes of any media type; the fallback class for media types no richer class claims. */
export class BinaryContent extends Content {
  /** Prefer the static factories; this takes already-resolved fields. */
  constructor(init: ContentInit) {
    super(init);
  }

  static from(
    data: Buffer | Uint8Array,
    opts: ContentOptions = {},
  ): BinaryContent {
    const buffer = toBuffer(data, 'BinaryContent');
    return new BinaryContent(bufferInit(buffer, opts, 'BinaryContent').init);
  }

  /** Reads a local file; the filename defaults to its base name and the media type is guessed from it. */
  static async fromFile(
    path: string,
    opts: ContentOptions = {},
  ): Promise<BinaryContent> {
    const data = await readFile(path);
    return BinaryContent.from(data, {
      ...opts,
      filename: opts.filename ?? basename(path),
    });
  }

  static restore(init: ContentInit): BinaryContent {
    return new BinaryContent(init);
  }
}
