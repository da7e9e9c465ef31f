import { ContentTypeError } from '../errors/fennflow.errors';
import { Content, type ContentInit, type ContentOptions } from './content';
import { bufferInit } from './content-init';

export interface JsonContentOptions extends ContentOptions {
  /** Passed to JSON.stringify as its `space` argument; compact by default. */
  readonly space?: number | string;
}

const KIND = 'JsonContent';

/** A JSON document, stored as UTF-8. */
export class JsonContent extends Content {
  /** Prefer the static factory; this takes already-resolved fields. */
  constructor(init: ContentInit) {
    super(init);
  }

  /** Stores `JSON.stringify(value)`; media type defaults to `application/json`. */
  static from(value: unknown, opts: JsonContentOptions = {}): JsonContent {
    let serialised: string | undefined;
    try {
      serialised = JSON.stringify(value, null, opts.space) as
        string | undefined;
    } catch (err) {
      throw new ContentTypeError(
        `${KIND}: the value cannot be serialised to JSON: ${err instanceof Error ? err.message : String(err)}.`,
      );
    }
    if (serialised === undefined) {
      throw new ContentTypeError(
        `${KIND}: the value cannot be serialised to JSON (got ${typeof value}).`,
      );
    }
    const { init } = bufferInit(
      Buffer.from(serialised, 'utf8'),
      opts,
      KIND,
      [],
      'application/json',
    );
    return new JsonContent(init);
  }

  static restore(init: ContentInit): JsonContent {
    return new JsonContent(init);
  }
}
