import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AudioContent,
  BinaryContent,
  Content,
  contentFromFile,
  DocumentContent,
  ImageContent,
  JsonContent,
  TextContent,
  VideoContent,
} from '../../../lib/core/content';
import {
  ContentTypeError,
  InvalidPathError,
} from '../../../lib/core/errors/fennflow.errors';

const HELLO_SHA =
  '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

async function readStream(readable: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of readable)
    chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

describe('TextContent', () => {
  it('names content by sha256 of its bytes', () => {
    const content = TextContent.from('hello');
    expect(content.filename).toBe(`${HELLO_SHA}.txt`);
    expect(content.mediaType).toBe('text/plain');
    expect(content.size).toBe(5);
    expect(TextContent.from('world').filename).toBe(
      '486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7.txt',
    );
  });

  it('reads as bytes, text, stream and body, more than once', async () => {
    const content = TextContent.from('hello', { filename: 'greeting.txt' });
    expect(content.body()).toEqual(Buffer.from('hello'));
    expect(await content.text()).toBe('hello');
    expect(await content.text()).toBe('hello');
    expect((await content.bytes()).toString()).toBe('hello');
    expect(await readStream(content.stream())).toBe('hello');
    expect(await readStream(content.stream())).toBe('hello');
  });

  it('stores media types without parameters and takes the charset as encoding', async () => {
    const content = TextContent.from('héllo', {
      mediaType: 'text/plain; charset=ISO-8859-1',
    });
    expect(content.mediaType).toBe('text/plain');
    expect(content.encoding).toBe('latin1');
    expect(content.size).toBe(5);
    expect(await content.text()).toBe('héllo');
    expect(content.storageMetadata()).toEqual({ encoding: 'latin1' });
    expect(TextContent.from('x').storageMetadata()).toEqual({});
  });

  it('guesses the media type from the filename and appends missing extensions', () => {
    expect(
      TextContent.from('# hi', { filename: 'docs/readme.md' }).mediaType,
    ).toBe('text/markdown');
    expect(
      TextContent.from('print(1)', { filename: 'main.py' }).mediaType,
    ).toBe('text/x-python');
    expect(TextContent.from('A=1', { filename: '.env' })).toMatchObject({
      filename: '.env',
      mediaType: 'text/plain',
    });
    expect(TextContent.from('x', { filename: 'notes' }).filename).toBe(
      'notes.txt',
    );
    // Text falls back to text/plain when the name says nothing.
    expect(TextContent.from('all:', { filename: 'Makefile' })).toMatchObject({
      filename: 'Makefile.txt',
      mediaType: 'text/plain',
    });
    expect(
      TextContent.from('x', { filename: 'notes', mediaType: 'text/csv' })
        .filename,
    ).toBe('notes.csv');
  });

  it('rejects bad input clearly', () => {
    expect(() => TextContent.from('x', { filename: '' })).toThrow(
      InvalidPathError,
    );
    expect(() =>
      BinaryContent.from(Buffer.from('x'), { filename: 'Makefile' }),
    ).toThrow(/cannot guess a media type/);
    expect(() =>
      TextContent.from('x', { encoding: 'utf-32' as never }),
    ).toThrow(ContentTypeError);
    expect(() => TextContent.from(5 as unknown as string)).toThrow(
      ContentTypeError,
    );
    expect(() =>
      TextContent.from('x', { metadata: { encoding: 'utf-8' } }),
    ).toThrow(/reserved/);
  });
});

describe('metadata', () => {
  it('is a frozen copy of string values', () => {
    const metadata = { owner: 'ana' };
    const content = BinaryContent.from(Buffer.from('x'), {
      mediaType: 'application/octet-stream',
      metadata,
    });
    metadata.owner = 'bob';
    expect(content.metadata).toEqual({ owner: 'ana' });
    expect(Object.isFrozen(content.metadata)).toBe(true);
    expect(content.storageMetadata()).toEqual({ owner: 'ana' });
  });

  it('rejects non-string values', () => {
    const metadata = { price: 5 } as unknown as Record<string, string>;
    expect(() => TextContent.from('x', { metadata })).toThrow(ContentTypeError);
    expect(() => TextContent.from('x', { metadata })).toThrow(
      /'price' must be a string, got number/,
    );
  });
});

describe('JsonContent', () => {
  it('stores compact JSON and hashes the serialised bytes', async () => {
    const value = { a: 1, b: ['é'] };
    const content = JsonContent.from(value);
    const bytes = Buffer.from('{"a":1,"b":["é"]}', 'utf8');
    expect(content.mediaType).toBe('application/json');
    expect(content.filename).toMatch(/^[0-9a-f]{64}\.json$/);
    expect(await content.bytes()).toEqual(bytes);
    expect(await content.json()).toEqual(value);
    expect(JsonContent.from(value, { space: 2 }).filename).not.toBe(
      content.filename,
    );
  });

  it('rejects values JSON cannot represent', () => {
    expect(() => JsonContent.from(undefined)).toThrow(ContentTypeError);
    expect(() => JsonContent.from(10n)).toThrow(ContentTypeError);
  });

  it('reports invalid JSON on read', async () => {
    await expect(TextContent.from('{nope').json()).rejects.toThrow(
      /not valid JSON/,
    );
  });
});

describe('BinaryContent', () => {
  it('needs a filename or a media type', () => {
    expect(() => BinaryContent.from(Buffer.from('x'))).toThrow(
      ContentTypeError,
    );
    expect(() =>
      BinaryContent.from(Buffer.from('hi'), { mediaType: 'kfjdkfdj/zz' }),
    ).toThrow(ContentTypeError);
    expect(
      BinaryContent.from(new Uint8Array([1, 2]), {
        mediaType: 'application/octet-stream',
      }),
    ).toMatchObject({
      size: 2,
      mediaType: 'application/octet-stream',
    });
    expect(
      BinaryContent.from(Buffer.from('x'), { filename: 'a/b/c.zip' }).mediaType,
    ).toBe('application/zip');
    expect(
      BinaryContent.from(Buffer.from('x'), { mediaType: 'image/png' })
        .extension,
    ).toBe('png');
  });

  describe('from files', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fennflow-content-'));
      await writeFile(join(dir, 'photo.png'), Buffer.from([137, 80, 78, 71]));
      await writeFile(join(dir, 'notes.txt'), 'hello');
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('BinaryContent.fromFile uses the base name and guesses the media type', async () => {
      const content = await BinaryContent.fromFile(join(dir, 'photo.png'), {
        metadata: { k: 'v' },
      });
      expect(content).toBeInstanceOf(BinaryContent);
      expect(content).toMatchObject({
        filename: 'photo.png',
        mediaType: 'image/png',
        size: 4,
      });
      const renamed = await BinaryContent.fromFile(join(dir, 'notes.txt'), {
        filename: 'x/y.txt',
      });
      expect(renamed.filename).toBe('x/y.txt');
    });

    it('contentFromFile picks the richest class', async () => {
      expect(await contentFromFile(join(dir, 'photo.png'))).toBeInstanceOf(
        ImageContent,
      );
      const text = await contentFromFile(join(dir, 'notes.txt'));
      expect(text).toBeInstanceOf(TextContent);
      expect(await text.text()).toBe('hello');
    });

    it('fails for a missing file', async () => {
      await expect(
        BinaryContent.fromFile(join(dir, 'missing.bin')),
      ).rejects.toThrow(/ENOENT/);
    });
  });
});

describe('typed media classes', () => {
  const data = Buffer.from('pixels');

  it('ImageContent stores width and height as strings', () => {
    const image = ImageContent.from(data, {
      mediaType: 'image/png',
      width: 800,
      height: 600,
      metadata: { alt: 'x' },
    });
    expect(image.filename).toMatch(/^[0-9a-f]{64}\.png$/);
    expect(image.storageMetadata()).toEqual({
      alt: 'x',
      width: '800',
      height: '600',
    });
    expect(image.metadata).toEqual({ alt: 'x' });
    expect(
      ImageContent.from(data, { filename: 'a.webp' }).storageMetadata(),
    ).toEqual({});
  });

  it('AudioContent and VideoContent store their fields', () => {
    expect(
      AudioContent.from(data, { mediaType: 'audio/mpeg', duration: 12.5 }),
    ).toMatchObject({
      filename: expect.stringMatching(/\.mp3$/) as unknown,
      duration: 12.5,
    });
    const video = VideoContent.from(data, {
      filename: 'clip.mp4',
      duration: 3,
      width: 1920,
      height: 1080,
    });
    expect(video.storageMetadata()).toEqual({
      duration: '3',
      width: '1920',
      height: '1080',
    });
    expect(
      VideoContent.from(data, { mediaType: 'video/x-msvideo' }).filename,
    ).toMatch(/\.avi$/);
  });

  it('DocumentContent accepts any document type', () => {
    expect(
      DocumentContent.from(data, { filename: 'report.pdf' }).mediaType,
    ).toBe('application/pdf');
  });

  it('rejects invalid typed fields and foreign media types', () => {
    expect(() =>
      ImageContent.from(data, { mediaType: 'image/png', width: -1 }),
    ).toThrow(ContentTypeError);
    expect(() =>
      ImageContent.from(data, { mediaType: 'image/png', height: 1.5 }),
    ).toThrow(ContentTypeError);
    expect(() =>
      AudioContent.from(data, { mediaType: 'audio/mpeg', duration: NaN }),
    ).toThrow(ContentTypeError);
    expect(() => ImageContent.from(data, { mediaType: 'text/plain' })).toThrow(
      /image\/\*/,
    );
    expect(() => VideoContent.from(data, { filename: 'a.mp3' })).toThrow(
      ContentTypeError,
    );
    expect(() =>
      ImageContent.from(data, {
        mediaType: 'image/png',
        metadata: { width: '1' },
      }),
    ).toThrow(/reserved/);
  });

  it('are all Content', () => {
    expect(ImageContent.from(data, { mediaType: 'image/png' })).toBeInstanceOf(
      Content,
    );
  });
});
