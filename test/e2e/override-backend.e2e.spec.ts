import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  FennFlowBackend,
  InMemoryBackend,
  InMemoryConnector,
  getBackendToken,
  recordKeyOf,
} from 'fennflow-nestjs';
import { AppModule } from '../../sample/app.module';
import { avatarFile, uploadUser } from './sample-app.helpers';

const OVERRIDE_SCOPE = 'override-scope';
const INSPECTOR = 'e2e-inspector';

describe('sample app with an overridden backend (e2e)', () => {
  let app: INestApplication<App>;
  const replacement = new InMemoryBackend(OVERRIDE_SCOPE);
  const defaultScope = new InMemoryBackend('default');

  const visiblePaths = async (
    backend: InMemoryBackend,
    namespace: string,
  ): Promise<string[]> =>
    (
      await backend.listVisible({
        sessionId: INSPECTOR,
        namespace,
        prefix: '',
        after: null,
        limit: 100,
      })
    ).map((record) => record.path);

  beforeAll(async () => {
    // Process memory, so each test can start from empty stores; the default (SQLite + disk) is
    // covered by sample-default-storage.e2e.spec.ts.
    process.env.FENNFLOW_STORAGE = 'memory';
    InMemoryBackend.reset();
    InMemoryConnector.reset();
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(getBackendToken())
      .useValue(replacement)
      .compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    InMemoryBackend.reset();
    InMemoryConnector.reset();
  });

  it('injects the replacement wherever the backend is used', () => {
    expect(app.get(FennFlowBackend)).toBe(replacement);
  });

  it('writes the metadata of an HTTP upload into the replacement only', async () => {
    await uploadUser(app, 42, avatarFile('png'), { name: 'Ada' }).expect(201);
    const listed = await request(app.getHttpServer())
      .get('/users/42/files')
      .expect(200);
    expect(listed.body).toMatchObject({
      files: [
        { namespace: 'avatars', path: 'users/user_42/avatar.png' },
        { namespace: 'profiles', path: 'users/user_42/profile.json' },
      ],
    });

    expect(await visiblePaths(replacement, 'avatars')).toEqual([
      'users/user_42/avatar.png',
    ]);
    expect(await visiblePaths(replacement, 'profiles')).toEqual([
      'users/user_42/profile.json',
    ]);
    const key = { namespace: 'avatars', path: 'users/user_42/avatar.png' };
    const records = await replacement.getRecords([key]);
    expect(records.get(recordKeyOf(key))).toMatchObject({
      status: 'uploaded',
      lockedBy: null,
      mediaType: 'image/png',
    });

    expect(await visiblePaths(defaultScope, 'avatars')).toEqual([]);
    expect(await visiblePaths(defaultScope, 'profiles')).toEqual([]);
    expect(await defaultScope.isEmpty()).toBe(true);
  });
});
