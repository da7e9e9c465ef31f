import { Content, type ContentInit, type ContentOptions } from './content';
import { assertTopLevelType, bufferInit, toBuffer } from './content-init';
import { checkDuration, takeStoredNumber, withNumbers } from './typed-fields';

export interface AudioFields {
  /** Seconds. */
  readonly duration?: number;
}

export interface AudioContentOptions extends ContentOptions, AudioFields {}

const KIND = 'AudioContent';
const RESERVED = ['duration'] as const;

export class AudioContent extends Content {
  readonly duration: number | undefined;

  /** Prefer the static factory; this takes already-resolved fields. */
  constructor(init: ContentInit, fields: AudioFields = {}) {
    super(init);
    this.duration = checkDuration(fields.duration, KIND);
  }

  static from(
    data: Buffer | Uint8Array,
    opts: AudioContentOptions = {},
  ): AudioContent {
    const { init } = bufferInit(toBuffer(data, KIND), opts, KIND, RESERVED);
    assertTopLevelType(init.mediaType, 'audio', KIND);
    return new AudioContent(init, { duration: opts.duration });
  }

  override storageMetadata(): Record<string, string> {
    return withNumbers(super.storageMetadata(), { duration: this.duration });
  }

  static restore(init: ContentInit): AudioContent {
    const rest = { ...init.metadata };
    const duration = takeStoredNumber(rest, 'duration', false);
    return new AudioContent({ ...init, metadata: rest }, { duration });
  }
}
