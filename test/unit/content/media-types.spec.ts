import {
  ContentTypeError,
  InvalidPathError,
} from '../../../lib/core/errors/fennflow.errors';
import {
  extensionForMediaType,
  extensionOf,
  mediaTypeFromFilename,
  normalizeMediaType,
  resolveNaming,
} from '../../../lib/core/content';

describe('media types', () => {
  it.each([
    ['notes.txt', 'text/plain'],
    ['photo.JPG', 'image/jpeg'],
    ['data.json', 'application/json'],
    ['song.mp3', 'audio/mpeg'],
    ['clip.mp4', 'video/mp4'],
    ['report.pdf', 'application/pdf'],
    ['dir/sub/readme.md', 'text/markdown'],
    ['script.py', 'text/x-python'],
    ['app.ts', 'text/typescript'],
    ['.env', 'text/plain'],
    ['config/.gitignore', 'text/plain'],
    ['local.env', 'text/plain'],
  ])('guesses the media type of %s', (filename, mediaType) => {
    expect(mediaTypeFromFilename(filename)).toBe(mediaType);
  });

  it('returns undefined when nothing can be guessed', () => {
    expect(mediaTypeFromFilename('Makefile')).toBeUndefined();
    expect(mediaTypeFromFilename('blob.zzzunknown')).toBeUndefined();
    expect(mediaTypeFromFilename('a.b/noext')).toBeUndefined();
  });

  it.each([
    ['text/plain', 'txt'],
    ['application/json', 'json'],
    ['image/jpeg', 'jpg'],
    ['image/png', 'png'],
    ['application/octet-stream', 'bin'],
    ['application/pdf', 'pdf'],
    ['video/x-msvideo', 'avi'],
    ['audio/mpeg', 'mp3'],
    ['text/markdown', 'md'],
    ['text/x-python', 'py'],
    ['TEXT/PLAIN; charset=utf-8', 'txt'],
  ])('picks the extension of %s', (mediaType, ext) => {
    expect(extensionForMediaType(mediaType)).toBe(ext);
  });

  it('drops parameters and lower-cases media types', () => {
    expect(normalizeMediaType('Text/Plain; charset=UTF-8')).toBe('text/plain');
    expect(() => normalizeMediaType('plain')).toThrow(ContentTypeError);
    expect(() => normalizeMediaType('')).toThrow(ContentTypeError);
  });

  it('reads the extension of the last path segment only', () => {
    expect(extensionOf('a.dir/file')).toBeUndefined();
    expect(extensionOf('a/b.TAR.GZ')).toBe('gz');
    expect(extensionOf('.env')).toBe('env');
  });

  describe('resolveNaming', () => {
    const data = Buffer.from('hello');
    const hash =
      '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

    it('names by sha256 plus extension when there is no filename', () => {
      expect(
        resolveNaming({ mediaType: 'text/plain', data, kind: 'T' }).filename,
      ).toBe(`${hash}.txt`);
    });

    it('appends the extension to a filename without one', () => {
      expect(
        resolveNaming({
          filename: 'dir/readme',
          mediaType: 'text/markdown',
          data,
          kind: 'T',
        }),
      ).toEqual({
        filename: 'dir/readme.md',
        mediaType: 'text/markdown',
        parameters: {},
      });
    });

    it('keeps a given filename and media type even when they disagree', () => {
      const naming = resolveNaming({
        filename: 'a.png',
        mediaType: 'text/plain',
        data,
        kind: 'T',
      });
      expect(naming).toMatchObject({
        filename: 'a.png',
        mediaType: 'text/plain',
      });
    });

    it('fails clearly when nothing can be inferred', () => {
      expect(() => resolveNaming({ data, kind: 'T' })).toThrow(
        /neither a filename nor a media type/,
      );
      expect(() =>
        resolveNaming({ filename: 'Makefile', data, kind: 'T' }),
      ).toThrow(ContentTypeError);
      expect(() =>
        resolveNaming({
          mediaType: 'application/x-nothing-known',
          data,
          kind: 'T',
        }),
      ).toThrow(/no file extension is known/);
    });

    it('rejects an empty filename with InvalidPathError', () => {
      expect(() =>
        resolveNaming({
          filename: '',
          mediaType: 'text/plain',
          data,
          kind: 'T',
        }),
      ).toThrow(InvalidPathError);
      expect(() =>
        resolveNaming({
          filename: 'dir/',
          mediaType: 'text/plain',
          data,
          kind: 'T',
        }),
      ).toThrow(InvalidPathError);
    });
  });
});
