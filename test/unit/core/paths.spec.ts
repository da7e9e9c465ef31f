import {
  InvalidNamespaceError,
  InvalidPathError,
  TextContent,
  UnitOfWork,
  UnitOfWorkFactory,
  defineRepository,
  Create,
  InMemoryBackend,
  InMemoryConnector,
} from 'fennflow-nestjs';
import { inMemoryFixture } from '../../support/in-memory-fixture';

class UserPath {
  constructor(private readonly id: number) {}
  render(): string {
    return `users/user_${this.id}`;
  }
}

class MonthPath {
  constructor(
    private readonly year: number,
    private readonly month: number,
  ) {}
  render(): string {
    return `${this.year}/${String(this.month).padStart(2, '0')}`;
  }
}

describe('at() and path normalisation', () => {
  const { factory } = inMemoryFixture();

  it.each([
    [['user/'], 'user/'],
    [['user/', 'shelf1/'], 'user/shelf1/'],
    [['user/', 'shelf1/', '/'], 'user/shelf1/'],
    [['user//////'], 'user/'],
    [['/'], ''],
    [['/', '/user1/'], 'user1/'],
    [[''], ''],
    [['///user///shelf1///'], 'user/shelf1/'],
    [['///user///', '///shelf1///'], 'user/shelf1/'],
    [['a', '/b'], 'a/b/'],
  ])('at(%j) gives cwd %j', async (chain, cwd) => {
    await factory.run(async (uow) => {
      let repository = uow.docs;
      for (const part of chain) repository = repository.at(part);
      expect(repository.cwd).toBe(cwd);
    });
  });

  it('accepts path templates and mixes them with strings', async () => {
    await factory.run(async (uow) => {
      expect(uow.docs.at(new UserPath(42)).cwd).toBe('users/user_42/');
      expect(uow.docs.at(new UserPath(1)).at(new MonthPath(2025, 6)).cwd).toBe(
        'users/user_1/2025/06/',
      );
      expect(uow.docs.at('users/user_1/').at('2025/06').cwd).toBe(
        'users/user_1/2025/06/',
      );
    });
  });

  it('leaves the original repository untouched', async () => {
    await factory.run(async (uow) => {
      const deeper = uow.docs.at('a');
      expect(uow.docs.cwd).toBe('');
      expect(deeper.cwd).toBe('a/');
      expect(deeper.namespace).toBe('docs');
    });
  });

  it('throws a TypeError naming at() for anything that is not a string or a template', async () => {
    await factory.run(async (uow) => {
      expect(() => uow.docs.at(42 as unknown as string)).toThrow(TypeError);
      expect(() => uow.docs.at({} as unknown as string)).toThrow(
        /at\(\).*render\(\)/,
      );
    });
  });

  it.each([
    ['a/../b', "'..' segments"],
    ['./a', "'.' segments"],
    ['a\u0000b', 'NUL and control'],
    ['a\nb', 'NUL and control'],
    ['fennflow/tmp/x', 'reserved'],
  ])('at(%j) is refused with InvalidPathError', async (path, reason) => {
    await factory.run(async (uow) => {
      expect(() => uow.docs.at(path)).toThrow(InvalidPathError);
      expect(() => uow.docs.at(path)).toThrow(reason);
    });
  });
});

describe('file paths', () => {
  it('refuses bad file names before any I/O', async () => {
    const { factory, connector } = inMemoryFixture();
    await factory.run(async (uow) => {
      connector.resetCalls();
      const bad = [
        TextContent.from('x', { filename: '../escape.txt' }),
        TextContent.from('x', { filename: 'a/./b.txt' }),
        TextContent.from('x', { filename: 'bell\u0007.txt' }),
        TextContent.from('x', { filename: `${'k'.repeat(1021)}.txt` }),
        TextContent.from('x', { filename: 'fennflow/tmp/steal.txt' }),
      ];
      for (const file of bad) {
        await expect(uow.docs.put(file)).rejects.toBeInstanceOf(
          InvalidPathError,
        );
      }
      await expect(uow.docs.get('..')).rejects.toBeInstanceOf(InvalidPathError);
      await expect(uow.docs.delete('')).rejects.toBeInstanceOf(
        InvalidPathError,
      );
      await expect(
        uow.docs.list({ prefix: 'fennflow/tmp/' }),
      ).rejects.toBeInstanceOf(InvalidPathError);
      expect(connector.calls).toEqual([]);
      expect((await uow.docs.list()).paths).toEqual([]);
    });
  });

  it('accepts keys of exactly 1024 bytes, multi-byte characters included', async () => {
    const { factory } = inMemoryFixture();
    const name = `${'é'.repeat(510)}.txt`; // 1020 + 4 bytes
    expect(Buffer.byteLength(name)).toBe(1024);
    await factory.run(async (uow) => {
      await uow.docs.create(TextContent.from('long', { filename: name }));
    });
    await factory.run(async (uow) => {
      expect((await uow.docs.list()).paths).toEqual([name]);
    });
  });

  it('creates sub-folders from a filename with slashes', async () => {
    const { factory } = inMemoryFixture();
    await factory.run(async (uow) => {
      await uow.docs
        .at('a')
        .create(TextContent.from('x', { filename: 'b/c.txt' }));
      expect((await uow.docs.list()).paths).toEqual(['a/b/c.txt']);
    });
  });
});

describe('namespaces', () => {
  it.each([
    'ab',
    'Upper',
    'under_score',
    '-start',
    'end-',
    'a..b',
    '192.168.1.1',
    'x'.repeat(64),
  ])('refuses %j when the factory is built', (namespace) => {
    const Repo = defineRepository(Create);
    class BadUnitOfWork extends UnitOfWork {
      readonly files = this.repository(Repo, { namespace });
    }
    expect(
      () =>
        new UnitOfWorkFactory({
          backend: new InMemoryBackend('ns-test'),
          connector: new InMemoryConnector('ns-test'),
          unitOfWork: BadUnitOfWork,
        }),
    ).toThrow(InvalidNamespaceError);
  });

  it('lists the namespaces of a unit of work class, inherited repositories included', () => {
    const Repo = defineRepository(Create);
    class Base extends UnitOfWork {
      readonly avatars = this.repository(Repo, { namespace: 'avatars' });
    }
    class Derived extends Base {
      readonly reports = this.repository(Repo, { namespace: 'reports' });
    }
    const factory = new UnitOfWorkFactory({
      backend: new InMemoryBackend('ns-test'),
      connector: new InMemoryConnector('ns-test'),
      unitOfWork: Derived,
    });
    expect([...factory.namespaces].sort()).toEqual(['avatars', 'reports']);
  });
});
