import {
  AudioContent,
  BinaryContent,
  DocumentContent,
  ImageContent,
  JsonContent,
  MediaResponse,
  TextContent,
  VideoContent,
  type MediaItem,
} from '../../../lib/core/content';

const bytes = Buffer.from('x');
const items: MediaItem[] = [
  { path: 'b.txt', content: TextContent.from('b', { filename: 'b.txt' }) },
  {
    path: 'a.png',
    content: ImageContent.from(bytes, { filename: 'a.png', width: 1 }),
  },
  {
    path: 'c.json',
    content: JsonContent.from({ c: 1 }, { filename: 'c.json' }),
  },
  { path: 'd.mp3', content: AudioContent.from(bytes, { filename: 'd.mp3' }) },
  { path: 'e.mp4', content: VideoContent.from(bytes, { filename: 'e.mp4' }) },
  {
    path: 'f.pdf',
    content: DocumentContent.from(bytes, { filename: 'f.pdf' }),
  },
  { path: 'g.zip', content: BinaryContent.from(bytes, { filename: 'g.zip' }) },
  { path: 'h.md', content: TextContent.from('# h', { filename: 'h.md' }) },
];

describe('MediaResponse', () => {
  const response = new MediaResponse(items);

  it('keeps argument order and is indexable and iterable', () => {
    expect(response.length).toBe(8);
    expect(response.isEmpty).toBe(false);
    expect(response.paths).toEqual([
      'b.txt',
      'a.png',
      'c.json',
      'd.mp3',
      'e.mp4',
      'f.pdf',
      'g.zip',
      'h.md',
    ]);
    expect(response.at(0)?.path).toBe('b.txt');
    expect(response.at(-1)?.path).toBe('h.md');
    expect(response.at(99)).toBeUndefined();
    expect([...response].map((item) => item.path)).toEqual(response.paths);
    expect(response.contents).toEqual(items.map((item) => item.content));
  });

  it('does not change when the input array changes', () => {
    const input = [...items];
    const copy = new MediaResponse(input);
    input.pop();
    expect(copy.length).toBe(8);
  });

  it('has typed accessors per class', async () => {
    expect(response.texts.map((i) => i.path)).toEqual(['b.txt', 'h.md']);
    expect(await response.texts[0]!.content.text()).toBe('b');
    expect(response.images[0]!.content.width).toBe(1);
    expect(response.jsons.map((i) => i.path)).toEqual(['c.json']);
    expect(response.audios.map((i) => i.path)).toEqual(['d.mp3']);
    expect(response.videos.map((i) => i.path)).toEqual(['e.mp4']);
    expect(response.documents.map((i) => i.path)).toEqual(['f.pdf']);
    expect(response.binaries.map((i) => i.path)).toEqual(['g.zip']);
  });

  it('filters by class and by media type', () => {
    const media = response.filter(ImageContent, VideoContent);
    expect(media).toBeInstanceOf(MediaResponse);
    expect(media.paths).toEqual(['a.png', 'e.mp4']);
    expect(
      response.filterByMediaType(
        'text/markdown',
        'APPLICATION/JSON; charset=utf-8',
      ).paths,
    ).toEqual(['c.json', 'h.md']);
    expect(response.filter().length).toBe(0);
  });

  it('joins responses in order', () => {
    const joined = MediaResponse.join([
      new MediaResponse(items.slice(2, 3)),
      new MediaResponse(items.slice(0, 1)),
    ]);
    expect(joined.paths).toEqual(['c.json', 'b.txt']);
    expect(new MediaResponse([]).isEmpty).toBe(true);
  });
});
