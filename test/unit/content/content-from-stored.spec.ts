import { PassThrough, Readable } from 'node:stream';
import {
  AudioContent,
  BinaryContent,
  Content,
  contentClassForMediaType,
  contentFromStored,
  DocumentContent,
  ImageContent,
  JsonContent,
  StreamContent,
  TextContent,
  VideoContent,
} from '../../../lib/core/content';

/** What a connector would keep: name, media type, storage metadata and the bytes. */
async function roundTrip(content: Content, lazy: boolean): Promise<Content> {
  const data = await content.bytes();
  return contentFromStored({
    filename: content.filename,
    mediaType: content.mediaType,
    metadata: content.storageMetadata(),
    size: data.length,
    body: lazy ? () => Readable.from([data]) : data,
  });
}

const data = Buffer.from('some bytes');
const originals: Array<[string, () => Content]> = [
  ['text', () => TextContent.from('hello', { metadata: { lang: 'en' } })],
  [
    'latin1 text',
    () =>
      TextContent.from('héllo', { encoding: 'latin1', filename: 'a/b.txt' }),
  ],
  ['markdown', () => TextContent.from('# hi', { filename: 'readme.md' })],
  ['json', () => JsonContent.from({ a: [1, 2] }, { metadata: { v: '1' } })],
  [
    'image',
    () =>
      ImageContent.from(data, {
        mediaType: 'image/png',
        width: 800,
        height: 600,
      }),
  ],
  [
    'image without fields',
    () => ImageContent.from(data, { filename: 'p.jpg' }),
  ],
  [
    'audio',
    () => AudioContent.from(data, { mediaType: 'audio/mpeg', duration: 61.5 }),
  ],
  [
    'video',
    () =>
      VideoContent.from(data, {
        filename: 'v.mp4',
        duration: 3,
        width: 640,
        height: 480,
      }),
  ],
  [
    'document',
    () =>
      DocumentContent.from(data, {
        filename: 'report.pdf',
        metadata: { pages: '3' },
      }),
  ],
  [
    'binary',
    () =>
      BinaryContent.from(data, {
        mediaType: 'application/zip',
        metadata: { width: 'user' },
      }),
  ],
];

describe('contentFromStored', () => {
  describe.each([
    ['buffer body', false],
    ['lazy body', true],
  ])('round trip with a %s', (_label, lazy) => {
    it.each(originals)(
      'restores %s with the same class, fields and bytes',
      async (_name, make) => {
        const original = make();
        const restored = await roundTrip(original, lazy);
        expect(restored.constructor).toBe(original.constructor);
        expect(restored).toEqual(original);
        expect(restored.storageMetadata()).toEqual(original.storageMetadata());
        expect(await restored.bytes()).toEqual(await original.bytes());
        expect(await restored.text()).toBe(await original.text());
      },
    );
  });

  it('restores a StreamContent as the class of its media type', async () => {
    const stream = StreamContent.from(Readable.from([Buffer.from('{"x":1}')]), {
      filename: 'x.json',
    });
    const restored = await roundTrip(stream, false);
    expect(restored).toBeInstanceOf(JsonContent);
    expect(await restored.json()).toEqual({ x: 1 });
  });

  it('does not open a lazy body until the bytes are asked for, then caches them', async () => {
    const open = jest.fn(() => Readable.from([Buffer.from('[1,2]')]));
    const content = contentFromStored({
      filename: 'a.json',
      mediaType: 'application/json',
      metadata: {},
      body: open,
    });
    expect(open).not.toHaveBeenCalled();
    expect(content.size).toBeUndefined();
    expect(await content.json()).toEqual([1, 2]);
    expect(await content.text()).toBe('[1,2]');
    expect(open).toHaveBeenCalledTimes(1);
    expect(content.body()).toEqual(Buffer.from('[1,2]'));
  });

  it('opens a fresh stream for body() and stream() on a lazy body not yet read', () => {
    const streams: PassThrough[] = [];
    const content = contentFromStored({
      filename: 'a.bin',
      mediaType: 'application/octet-stream',
      metadata: {},
      size: 3,
      body: () => {
        const s = new PassThrough();
        streams.push(s);
        return s;
      },
    });
    expect(content.body()).toBe(streams[0]);
    expect(content.stream()).toBe(streams[1]);
    expect(content.size).toBe(3);
  });

  it('retries a lazy body after a failed read', async () => {
    let attempt = 0;
    const content = contentFromStored({
      filename: 'a.txt',
      mediaType: 'text/plain',
      metadata: {},
      body: () => {
        attempt++;
        if (attempt === 1) {
          return new Readable({
            read() {
              this.destroy(new Error('network'));
            },
          });
        }
        return Readable.from([Buffer.from('ok')]);
      },
    });
    await expect(content.text()).rejects.toThrow('network');
    expect(await content.text()).toBe('ok');
  });

  it('keeps stored names as they are and tolerates odd stored values', () => {
    const content = contentFromStored({
      filename: 'Makefile',
      mediaType: 'Text/X-Makefile; charset=utf-8',
      metadata: { width: 'wide', encoding: 'klingon' },
      body: Buffer.from('all:'),
    });
    expect(content).toBeInstanceOf(TextContent);
    expect(content).toMatchObject({
      filename: 'Makefile',
      mediaType: 'text/x-makefile',
      size: 4,
    });
    expect(content.metadata).toEqual({ width: 'wide', encoding: 'klingon' });
    expect((content as TextContent).encoding).toBe('utf-8');

    const image = contentFromStored({
      filename: 'i.png',
      mediaType: 'image/png',
      metadata: { width: 'wide', height: '10' },
      body: Buffer.alloc(0),
    }) as ImageContent;
    expect(image).toMatchObject({
      width: undefined,
      height: 10,
      metadata: { width: 'wide' },
    });

    expect(
      contentFromStored({
        filename: 'x',
        mediaType: 'garbage',
        metadata: {},
        body: Buffer.alloc(0),
      }),
    ).toMatchObject({
      mediaType: 'application/octet-stream',
    });
  });

  it.each([
    ['text/plain', TextContent],
    ['text/csv', TextContent],
    ['application/json', JsonContent],
    ['application/pdf', DocumentContent],
    [
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      DocumentContent,
    ],
    ['image/svg+xml', ImageContent],
    ['audio/ogg', AudioContent],
    ['video/webm', VideoContent],
    ['application/xml', BinaryContent],
    ['application/octet-stream', BinaryContent],
  ])('maps %s to the richest class', (mediaType, cls) => {
    expect(contentClassForMediaType(mediaType)).toBe(cls);
  });
});
