import { Content, type ContentInit, type ContentOptions } from './content';
import { assertTopLevelType, bufferInit, toBuffer } from './content-init';
import { checkDimension, takeStoredNumber, withNumbers } from './typed-fields';

export interface ImageFields {
  /** Pixels. */
  readonly width?: number;
  /** Pixels. */
  readonly height?: number;
}

export interface ImageContentOptions extends ContentOptions, ImageFields {}

const KIND = 'ImageContent';
const RESERVED = ['width', 'height'] as const;

export class ImageContent extends Content {
  readonly width: number | undefined;
  readonly height: number | undefined;

  /** Prefer the static factory; this takes already-resolved fields. */
  constructor(init: ContentInit, fields: ImageFields = {}) {
    super(init);
    this.width = checkDimension(fields.width, 'width', KIND);
    this.height = checkDimension(fields.height, 'height', KIND);
  }

  static from(
    data: Buffer | Uint8Array,
    opts: ImageContentOptions = {},
  ): ImageContent {
    const { init } = bufferInit(toBuffer(data, KIND), opts, KIND, RESERVED);
    assertTopLevelType(init.mediaType, 'image', KIND);
    return new ImageContent(init, { width: opts.width, height: opts.height });
  }

  override storageMetadata(): Record<string, string> {
    return withNumbers(super.storageMetadata(), {
      width: this.width,
      height: this.height,
    });
  }

  static restore(init: ContentInit): ImageContent {
    const rest = { ...init.metadata };
    const width = takeStoredNumber(rest, 'width', true);
    const height = takeStoredNumber(rest, 'height', true);
    return new ImageContent({ ...init, metadata: rest }, { width, height });
  }
}
