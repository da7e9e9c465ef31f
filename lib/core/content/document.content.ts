import { Content, type ContentInit, type ContentOptions } from './content';
import { bufferInit, toBuffer } from './content-init';

/** Office-style documents: PDF, Word, Excel, PowerPoint, OpenDocument, RTF. */
export class DocumentContent extends Content {
  /** Prefer the static factory; this takes already-resolved fields. */
  constructor(init: ContentInit) {
    super(init);
  }

  static from(
    data: Buffer | Uint8Array,
    opts: ContentOptions = {},
  ): DocumentContent {
    const buffer = toBuffer(data, 'DocumentContent');
    return new DocumentContent(
      bufferInit(buffer, opts, 'DocumentContent').init,
    );
  }

  static restore(init: ContentInit): DocumentContent {
    return new DocumentContent(init);
  }
}
