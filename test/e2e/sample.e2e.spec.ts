import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  InMemoryBackend,
  InMemoryConnector,
  JsonContent,
  UnitOfWorkFactory,
  getUnitOfWorkFactoryToken,
} from 'fennflow-nestjs';
import { AppModule } from '../../sample/app.module';
import type { AppUnitOfWork } from '../../sample/app.unit-of-work';
import { FaceCheckService } from '../../sample/users/face-check.service';
import { MAX_AVATAR_BYTES } from '../../sample/users/users.controller';
import { UserPath } from '../../sample/users/user-path';
import {
  avatarFile,
  download,
  storedObjects,
  uploadUser,
} from './sample-app.helpers';

interface FilesBody {
  readonly userId: number;
  readonly files: ReadonlyArray<{
    readonly namespace: string;
    readonly path: string;
    readonly mediaType: string | null;
    readonly size: number | null;
  }>;
}

describe('sample app (e2e)', () => {
  let app: INestApplication<App>;

  const http = () => request(app.getHttpServer());
  const listedPaths = async (userId: number): Promise<string[]> => {
    const res = await http().get(`/users/${userId}/files`).expect(200);
    return (res.body as FilesBody).files.map((f) => `${f.namespace}/${f.path}`);
  };

  beforeAll(async () => {
    // Process memory, so each test can start from empty stores; the default (SQLite + disk) is
    // covered by sample-default-storage.e2e.spec.ts.
    process.env.FENNFLOW_STORAGE = 'memory';
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  // The sample uses the default scope; its metadata and bytes are process-wide, so each test
  // starts from empty stores.
  beforeEach(() => {
    InMemoryBackend.reset('default');
    InMemoryConnector.reset('default');
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await app.close();
  });

  it('stores avatar and profile together, lists and downloads them', async () => {
    const avatar = avatarFile('png bytes of Ada');
    const created = await uploadUser(app, 42, avatar, { name: 'Ada' }).expect(
      201,
    );
    expect((created.body as FilesBody).files).toEqual([
      expect.objectContaining({
        namespace: 'avatars',
        path: 'users/user_42/avatar.png',
        mediaType: 'image/png',
        size: avatar.bytes.length,
      }),
      expect.objectContaining({
        namespace: 'profiles',
        path: 'users/user_42/profile.json',
        mediaType: 'application/json',
      }),
    ]);

    expect(await listedPaths(42)).toEqual([
      'avatars/users/user_42/avatar.png',
      'profiles/users/user_42/profile.json',
    ]);

    const image = await download(app, '/users/42/avatar').expect(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.body).toEqual(avatar.bytes);

    const profile = await http().get('/users/42/profile').expect(200);
    expect(profile.headers['content-type']).toMatch(/^application\/json/);
    expect(profile.body).toEqual({ name: 'Ada' });
  });

  it('leaves nothing behind when the verification fails', async () => {
    const faceCheck = app.get(FaceCheckService);
    const verify = faceCheck.verify.bind(faceCheck);
    let storedDuringCheck: string[] = [];
    jest.spyOn(faceCheck, 'verify').mockImplementationOnce(async (...args) => {
      storedDuringCheck = await storedObjects(app);
      return verify(...args);
    });

    await uploadUser(
      app,
      7,
      avatarFile('png bytes of Bob'),
      { name: 'Bob' },
      '?failVerification=true',
    ).expect(422);

    // The bytes were written before the check ran…
    expect(storedDuringCheck).toEqual([
      'avatars/users/user_7/avatar.png',
      'profiles/users/user_7/profile.json',
    ]);
    // …and are gone after it failed, from the API and from storage (fennflow/tmp/ included).
    expect(await listedPaths(7)).toEqual([]);
    await http().get('/users/7/avatar').expect(404);
    await http().get('/users/7/profile').expect(404);
    expect(await storedObjects(app)).toEqual([]);
  });

  it('keeps the old avatar and profile when a replacing upload fails verification', async () => {
    const old = avatarFile('old avatar');
    await uploadUser(app, 42, old, { name: 'Ada' }).expect(201);

    await uploadUser(
      app,
      42,
      avatarFile('new avatar'),
      { name: 'Ada Lovelace' },
      '?failVerification=true',
    ).expect(422);
    // Under another extension, the failed upload also staged a delete of the old avatar.
    await uploadUser(
      app,
      42,
      avatarFile('new jpeg avatar', 'image/jpeg', 'face.jpg'),
      { name: 'Ada Lovelace' },
      '?failVerification=true',
    ).expect(422);

    const image = await download(app, '/users/42/avatar').expect(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.body).toEqual(old.bytes);
    const profile = await http().get('/users/42/profile').expect(200);
    expect(profile.body).toEqual({ name: 'Ada' });
    expect(await storedObjects(app)).toEqual([
      'avatars/users/user_42/avatar.png',
      'profiles/users/user_42/profile.json',
    ]);
  });

  it('replaces the avatar on a successful re-upload, even under another extension', async () => {
    await uploadUser(app, 42, avatarFile('png'), { name: 'Ada' }).expect(201);
    const jpeg = avatarFile('jpeg', 'image/jpeg', 'face.jpg');
    await uploadUser(app, 42, jpeg, { name: 'Ada' }).expect(201);

    expect(await listedPaths(42)).toEqual([
      'avatars/users/user_42/avatar.jpg',
      'profiles/users/user_42/profile.json',
    ]);
    const image = await download(app, '/users/42/avatar').expect(200);
    expect(image.headers['content-type']).toBe('image/jpeg');
    expect(image.body).toEqual(jpeg.bytes);
    expect(await storedObjects(app)).toEqual([
      'avatars/users/user_42/avatar.jpg',
      'profiles/users/user_42/profile.json',
    ]);
  });

  it('deletes all of a user’s files in one unit of work', async () => {
    await uploadUser(app, 42, avatarFile('a'), { name: 'Ada' }).expect(201);
    await uploadUser(app, 43, avatarFile('b'), { name: 'Bob' }).expect(201);

    const res = await http().delete('/users/42').expect(200);
    expect(res.body).toEqual({
      userId: 42,
      deleted: ['users/user_42/avatar.png', 'users/user_42/profile.json'],
    });

    expect(await listedPaths(42)).toEqual([]);
    await http().get('/users/42/avatar').expect(404);
    await http().delete('/users/42').expect(404);
    expect(await storedObjects(app)).toEqual([
      'avatars/users/user_43/avatar.png',
      'profiles/users/user_43/profile.json',
    ]);
  });

  it('answers 409 while another unit of work has pending writes on the user', async () => {
    const factory = app.get<UnitOfWorkFactory<AppUnitOfWork>>(
      getUnitOfWorkFactoryToken(),
    );
    const uow = await factory.begin();
    try {
      await uow.profiles
        .at(new UserPath(42))
        .put(
          JsonContent.from({ name: 'pending' }, { filename: 'profile.json' }),
        );

      const res = await uploadUser(app, 42, avatarFile('a'), {
        name: 'Ada',
      }).expect(409);
      expect(res.body).toMatchObject({ code: 'E_FENNFLOW_RECORD_LOCKED' });
    } finally {
      await uow.close();
    }
    expect(await storedObjects(app)).toEqual([]);
  });

  it('rejects bad input before any unit of work', async () => {
    await http().post('/users/42').field('profile', '{}').expect(400);
    await uploadUser(
      app,
      42,
      avatarFile('%PDF', 'application/pdf', 'cv.pdf'),
      {},
    ).expect(400);
    await http()
      .post('/users/42')
      .attach('avatar', Buffer.from('x'), {
        filename: 'face.png',
        contentType: 'image/png',
      })
      .field('profile', '[1, 2]')
      .expect(400);
    await http().get('/users/not-a-number/files').expect(400);
    await uploadUser(
      app,
      42,
      {
        bytes: Buffer.alloc(MAX_AVATAR_BYTES + 1),
        filename: 'huge.png',
        contentType: 'image/png',
      },
      {},
    ).expect(413);
    expect(await storedObjects(app)).toEqual([]);
  });
});
