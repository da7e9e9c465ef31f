import { ContentTypeError } from '../errors/fennflow.errors';
import { Content, type ContentInit, type ContentOptions } from './content';
import { bufferInit } from './content-init';
import { parseMediaType } from './media-types';
import {
  nodeEncoding,
  parseTextEncoding,
  requireTextEncoding,
  type TextEncoding,
} from './text-encoding';

export interface TextContentOptions extends ContentOptions {
  /** Defaults to the `charset` of `mediaType` when given, else `utf-8`. */
  readonly encoding?: TextEncoding;
}

const KIND = 'TextContent';
const RESERVED = ['encoding'] as const;

export class TextContent extends Content {
  readonly encoding: TextEncoding;

  /** Prefer the static factory; this takes already-resolved fields. */
  constructor(
    init: ContentInit,
    fields: { readonly encoding?: TextEncoding } = {},
  ) {
    super(init);
    this.encoding = fields.encoding ?? 'utf-8';
  }

  /** Media type defaults to `text/plain`. */
  static from(text: string, opts: TextContentOptions = {}): TextContent {
    if (typeof text !== 'string') {
      throw new ContentTypeError(
        `${KIND}.from expects a string, got ${typeof text}.`,
      );
    }
    const charset =
      opts.mediaType !== undefined
        ? parseMediaType(opts.mediaType).parameters['charset']
        : undefined;
    const encoding = requireTextEncoding(
      opts.encoding ?? charset ?? 'utf-8',
      KIND,
    );
    const data = Buffer.from(text, nodeEncoding(encoding));
    const { init } = bufferInit(data, opts, KIND, RESERVED, 'text/plain');
    return new TextContent(init, { encoding });
  }

  /** The text decoded with this content's encoding. */
  override async text(): Promise<string> {
    return (await this.bytes()).toString(nodeEncoding(this.encoding));
  }

  override storageMetadata(): Record<string, string> {
    const metadata = super.storageMetadata();
    if (this.encoding !== 'utf-8') metadata['encoding'] = this.encoding;
    return metadata;
  }

  static restore(init: ContentInit): TextContent {
    const rest = { ...init.metadata };
    const stored = rest['encoding'];
    const encoding =
      stored !== undefined ? parseTextEncoding(stored) : undefined;
    if (encoding) delete rest['encoding'];
    return new TextContent({ ...init, metadata: rest }, { encoding });
  }
}
