import type { Stream } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import type { App } from 'supertest/types';
import request from 'supertest';
import { FennFlowConnector, getConnectorToken } from 'fennflow-nestjs';
import { storedKeys } from '../support/in-memory-fixture';

export interface AvatarFile {
  readonly bytes: Buffer;
  readonly filename: string;
  readonly contentType: string;
}

export function avatarFile(
  text: string,
  contentType = 'image/png',
  filename = 'face.png',
): AvatarFile {
  return { bytes: Buffer.from(text, 'utf8'), filename, contentType };
}

/** POST /users/:id with a multipart avatar and profile. */
export function uploadUser(
  app: INestApplication<App>,
  userId: number,
  avatar: AvatarFile,
  profile: Record<string, unknown>,
  query = '',
): request.Test {
  return request(app.getHttpServer())
    .post(`/users/${userId}${query}`)
    .attach('avatar', avatar.bytes, {
      filename: avatar.filename,
      contentType: avatar.contentType,
    })
    .field('profile', JSON.stringify(profile));
}

/** GET a download route, keeping the body as raw bytes whatever its content type. */
export function download(
  app: INestApplication<App>,
  path: string,
): request.Test {
  return request(app.getHttpServer())
    .get(path)
    .buffer(true)
    .parse((res: Stream, done: (err: Error | null, body: Buffer) => void) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
      res.on('error', (err: Error) => done(err, Buffer.alloc(0)));
    });
}

/** Every object key of the sample's namespaces, straight from the connector the app uses. */
export async function storedObjects(
  app: INestApplication<App>,
): Promise<string[]> {
  const connector = app.get<FennFlowConnector>(getConnectorToken());
  const keys: string[] = [];
  for (const namespace of ['avatars', 'profiles']) {
    for (const key of await storedKeys(connector, namespace))
      keys.push(`${namespace}/${key}`);
  }
  return keys.sort();
}
