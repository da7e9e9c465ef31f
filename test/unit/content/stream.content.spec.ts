import { PassThrough, Readable } from 'node:stream';
import { StreamContent } from '../../../lib/core/content';
import { ContentTypeError } from '../../../lib/core/errors/fennflow.errors';

describe('StreamContent', () => {
  it('hands out the same stream once, without reading it', () => {
    const readable = new PassThrough();
    const content = StreamContent.from(readable, {
      filename: 'big.bin',
      size: 10,
      metadata: { a: 'b' },
    });
    expect(content).toMatchObject({
      filename: 'big.bin',
      mediaType: 'application/octet-stream',
      size: 10,
    });
    expect(readable.readableFlowing).toBeNull();
    expect(content.body()).toBe(readable);
    expect(() => content.body()).toThrow(ContentTypeError);
    expect(() => content.stream()).toThrow(/already consumed by body\(\)/);
    readable.destroy();
  });

  it('never reads ahead: nothing is pulled from the source until the body is consumed', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.alloc(1024, i % 256);
      }
    }
    const content = StreamContent.from(source(), { filename: 'gen.bin' });
    expect(pulled).toBe(0);
    const body = content.body() as Readable;
    expect(body).toBeInstanceOf(Readable);
    let total = 0;
    for await (const chunk of body) total += (chunk as Buffer).length;
    expect(total).toBe(1024 * 1000);
  });

  it('bytes() consumes the stream once and caches the result', async () => {
    const content = StreamContent.from(
      Readable.from([Buffer.from('he'), Buffer.from('llo')]),
      {
        filename: 'x.txt',
      },
    );
    expect(content.mediaType).toBe('text/plain');
    expect(await content.text()).toBe('hello');
    expect((await content.bytes()).toString()).toBe('hello');
    expect(content.body()).toEqual(Buffer.from('hello'));
  });

  it('bytes() after body() throws', async () => {
    const content = StreamContent.from(Readable.from([Buffer.from('x')]), {
      filename: 'x.bin',
    });
    content.body();
    await expect(content.bytes()).rejects.toThrow(ContentTypeError);
  });

  it('requires a filename, since a stream cannot be hashed before it is read', () => {
    expect(() =>
      StreamContent.from(Readable.from([]), { mediaType: 'text/plain' }),
    ).toThrow(/a filename is required/);
    expect(() =>
      StreamContent.from(Readable.from([]), { filename: 'noext' }),
    ).toThrow(ContentTypeError);
    expect(
      StreamContent.from(Readable.from([]), {
        filename: 'noext',
        mediaType: 'text/csv',
      }).filename,
    ).toBe('noext.csv');
    expect(() =>
      StreamContent.from(Readable.from([]), { filename: 'a.txt', size: -1 }),
    ).toThrow(ContentTypeError);
    expect(() =>
      StreamContent.from('nope' as unknown as Readable, { filename: 'a.txt' }),
    ).toThrow(ContentTypeError);
  });
});
