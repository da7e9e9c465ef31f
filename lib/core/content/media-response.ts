import { AudioContent } from './audio.content';
import { BinaryContent } from './binary.content';
import type { Content } from './content';
import { DocumentContent } from './document.content';
import { ImageContent } from './image.content';
import { JsonContent } from './json.content';
import { normalizeMediaType } from './media-types';
import { TextContent } from './text.content';
import { VideoContent } from './video.content';

export interface MediaItem<C extends Content = Content> {
  /** Storage path of the file, relative to the repository's namespace. */
  readonly path: string;
  readonly content: C;
}

/** Any content class, including ones with non-public constructors. */
export interface ContentClass<C extends Content = Content> {
  readonly prototype: C;
}

/** The files returned by one read, in the order they were asked for. */
export class MediaResponse<C extends Content = Content> implements Iterable<
  MediaItem<C>
> {
  readonly #items: readonly MediaItem<C>[];

  constructor(items: readonly MediaItem<C>[]) {
    this.#items = Object.freeze([...items]);
  }

  /** Concatenates responses, keeping their order. */
  static join<C extends Content>(
    responses: Iterable<MediaResponse<C>>,
  ): MediaResponse<C> {
    const items: MediaItem<C>[] = [];
    for (const response of responses) items.push(...response);
    return new MediaResponse(items);
  }

  get length(): number {
    return this.#items.length;
  }

  get isEmpty(): boolean {
    return this.#items.length === 0;
  }

  /** The item at `index` (negative counts from the end), or `undefined`. */
  at(index: number): MediaItem<C> | undefined {
    return this.#items.at(index);
  }

  [Symbol.iterator](): Iterator<MediaItem<C>> {
    return this.#items[Symbol.iterator]();
  }

  get items(): readonly MediaItem<C>[] {
    return this.#items;
  }

  get paths(): string[] {
    return this.#items.map((item) => item.path);
  }

  get contents(): C[] {
    return this.#items.map((item) => item.content);
  }

  get texts(): MediaItem<TextContent>[] {
    return this.#ofClass(TextContent);
  }

  get jsons(): MediaItem<JsonContent>[] {
    return this.#ofClass(JsonContent);
  }

  get images(): MediaItem<ImageContent>[] {
    return this.#ofClass(ImageContent);
  }

  get audios(): MediaItem<AudioContent>[] {
    return this.#ofClass(AudioContent);
  }

  get videos(): MediaItem<VideoContent>[] {
    return this.#ofClass(VideoContent);
  }

  get documents(): MediaItem<DocumentContent>[] {
    return this.#ofClass(DocumentContent);
  }

  get binaries(): MediaItem<BinaryContent>[] {
    return this.#ofClass(BinaryContent);
  }

  /** Items whose content is an instance of any of the given classes. */
  filter<T extends Content>(...classes: ContentClass<T>[]): MediaResponse<T> {
    return new MediaResponse(
      this.#items.filter((item): item is MediaItem<C & T> =>
        classes.some((cls) => isInstance(item.content, cls)),
      ),
    );
  }

  /** Items whose media type is one of the given ones (parameters are ignored). */
  filterByMediaType(...mediaTypes: string[]): MediaResponse<C> {
    const wanted = new Set(mediaTypes.map(normalizeMediaType));
    return new MediaResponse(
      this.#items.filter((item) => wanted.has(item.content.mediaType)),
    );
  }

  #ofClass<T extends Content>(cls: ContentClass<T>): MediaItem<T>[] {
    return this.#items.filter((item): item is MediaItem<C & T> =>
      isInstance(item.content, cls),
    );
  }
}

function isInstance<T extends Content>(
  content: Content,
  cls: ContentClass<T>,
): content is T {
  return Object.prototype.isPrototypeOf.call(cls.prototype, content);
}
