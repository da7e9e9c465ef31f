import {
  Create,
  defineRepository,
  Get,
  List,
  TextContent,
  UnitOfWork,
} from 'fennflow-nestjs';
import { inMemoryFixture } from '../../support/in-memory-fixture';

const ReadOnlyRepository = defineRepository(Get, List);
const WriteOnceRepository = defineRepository(Create, Get);

class ScopedUnitOfWork extends UnitOfWork {
  readonly reports = this.repository(ReadOnlyRepository, {
    namespace: 'reports',
  });
  readonly archive = this.repository(WriteOnceRepository, {
    namespace: 'archive',
  });
}

/**
 * Missing capabilities are compile errors: `npm test` type-checks this file with tsc, and each
 * `@ts-expect-error` fails the build if the line below it ever compiles.
 */
export async function typeChecks(uow: ScopedUnitOfWork): Promise<void> {
  await uow.reports.get('a.txt');
  await uow.reports.at('folder').list();
  // @ts-expect-error a read-only repository has no put
  await uow.reports.put(TextContent.from('x'));
  // @ts-expect-error a read-only repository has no delete
  await uow.reports.delete('a.txt');
  await uow.archive.create(TextContent.from('x'));
  // @ts-expect-error Create does not give put
  await uow.archive.at('x').put(TextContent.from('x'));
  // @ts-expect-error Create + Get does not give list
  await uow.archive.list();
}

describe('repository capabilities at runtime', () => {
  it('gives a repository exactly the methods of its capabilities', () => {
    expect(ReadOnlyRepository.capabilities).toEqual(['Get', 'List']);
    const methods = (value: object) =>
      Object.getOwnPropertyNames(Object.getPrototypeOf(value)).filter(
        (name) => name !== 'constructor',
      );
    const { factory } = inMemoryFixture();
    return factory.run(async () => {
      const probe = new ScopedUnitOfWork({ connector: factory.connector });
      expect(methods(probe.reports).sort()).toEqual(['get', 'list']);
      expect(methods(probe.archive.at('deeper')).sort()).toEqual([
        'create',
        'get',
      ]);
    });
  });

  it('refuses a capability listed twice', () => {
    expect(() => defineRepository(Get, Get)).toThrow(TypeError);
  });
});
