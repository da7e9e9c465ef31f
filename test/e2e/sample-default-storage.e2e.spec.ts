import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { AppModule } from '../../sample/app.module';
import { avatarFile, download, uploadUser } from './sample-app.helpers';

/** The sample on its default storage: SQLite metadata and files on disk, surviving a restart. */
describe('sample app on its default storage (e2e)', () => {
  let dataDir: string;

  const start = async (): Promise<INestApplication<App>> => {
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();
    const app = moduleRef.createNestApplication<INestApplication<App>>();
    await app.init();
    return app;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fennflow-sample-'));
    delete process.env.FENNFLOW_STORAGE;
    process.env.FENNFLOW_DATA_DIR = dataDir;
  });

  afterAll(async () => {
    delete process.env.FENNFLOW_DATA_DIR;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps committed files across a restart, and a failed verification leaves nothing on disk', async () => {
    const first = await start();
    await uploadUser(first, 7, avatarFile('ada'), { name: 'Ada' }).expect(201);
    await uploadUser(
      first,
      8,
      avatarFile('bob'),
      { name: 'Bob' },
      '?failVerification=true',
    ).expect(422);
    await first.close();

    const second = await start();
    const avatar = await download(second, '/users/7/avatar').expect(200);
    expect(avatar.body).toEqual(Buffer.from('ada'));
    await request(second.getHttpServer())
      .get('/users/8/files')
      .expect(200, { userId: 8, files: [] });
    await second.close();

    const onDisk = await readdir(join(dataDir, 'files'), { recursive: true });
    expect(onDisk.filter((p) => p.includes('user_8'))).toEqual([]);
    expect(
      onDisk.filter(
        (p) => p.includes('fennflow/tmp') || p.includes('.fennflow-tmp-'),
      ),
    ).toEqual([]);
  });
});
