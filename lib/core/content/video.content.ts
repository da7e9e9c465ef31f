import { Content, type ContentInit, type ContentOptions } from './content';
import { assertTopLevelType, bufferInit, toBuffer } from './content-init';
import {
  checkDimension,
  checkDuration,
  takeStoredNumber,
  withNumbers,
} from './typed-fields';

export interface VideoFields {
  /** Seconds. */
  readonly duration?: number;
  /** Pixels. */
  readonly width?: number;
  /** Pixels. */
  readonly height?: number;
}

export interface VideoContentOptions extends ContentOptions, VideoFields {}

const KIND = 'VideoContent';
const RESERVED = ['duration', 'width', 'height'] as const;

export class VideoContent extends Content {
  readonly duration: number | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;

  /** Prefer the static factory; this takes already-resolved fields. */
  constructor(init: ContentInit, fields: VideoFields = {}) {
    super(init);
    this.duration = checkDuration(fields.duration, KIND);
    this.width = checkDimension(fields.width, 'width', KIND);
    this.height = checkDimension(fields.height, 'height', KIND);
  }

  static from(
    data: Buffer | Uint8Array,
    opts: VideoContentOptions = {},
  ): VideoContent {
    const { init } = bufferInit(toBuffer(data, KIND), opts, KIND, RESERVED);
    assertTopLevelType(init.mediaType, 'video', KIND);
    return new VideoContent(init, {
      duration: opts.duration,
      width: opts.width,
      height: opts.height,
    });
  }

  override storageMetadata(): Record<string, string> {
    return withNumbers(super.storageMetadata(), {
      duration: this.duration,
      width: this.width,
      height: this.height,
    });
  }

  static restore(init: ContentInit): VideoContent {
    const rest = { ...init.metadata };
    const duration = takeStoredNumber(rest, 'duration', false);
    const width = takeStoredNumber(rest, 'width', true);
    const height = takeStoredNumber(rest, 'height', true);
    return new VideoContent(
      { ...init, metadata: rest },
      { duration, width, height },
    );
  }
}
