import { Injectable } from '@nestjs/common';
import {
  Content,
  FileNotFoundError,
  ImageContent,
  InjectUnitOfWork,
  JsonContent,
  UnitOfWorkFactory,
  extensionForMediaType,
} from 'fennflow-nestjs';
import { AppUnitOfWork } from '../app.unit-of-work';
import { FaceCheckService } from './face-check.service';
import { UserPath } from './user-path';

type UserFiles = AppUnitOfWork['avatars'];

export interface UserFile {
  readonly namespace: string;
  /** Relative to the namespace root, e.g. `users/user_42/avatar.png`. */
  readonly path: string;
  readonly size: number | null;
  readonly mediaType: string | null;
  readonly updatedAt: Date;
}

export interface AvatarUpload {
  readonly bytes: Buffer;
  readonly mediaType: string;
}

export interface SaveUserOptions {
  readonly failVerification?: boolean;
}

const AVATAR_BASENAME = 'avatar';
const PROFILE_FILENAME = 'profile.json';

@Injectable()
export class UsersService {
  constructor(
    @InjectUnitOfWork()
    private readonly uow: UnitOfWorkFactory<AppUnitOfWork>,
    private readonly faceCheck: FaceCheckService,
  ) {}

  /** Stores avatar and profile together, then verifies; a failed check undoes both writes. */
  saveUser(
    userId: number,
    upload: AvatarUpload,
    profile: Record<string, unknown>,
    options: SaveUserOptions = {},
  ): Promise<UserFile[]> {
    const folder = new UserPath(userId);
    const avatar = ImageContent.from(upload.bytes, {
      filename: avatarFilename(upload.mediaType),
      mediaType: upload.mediaType,
    });
    return this.uow.run(async (uow) => {
      await this.dropOtherAvatars(uow.avatars, folder, avatar.filename);
      await uow.avatars.at(folder).put(avatar);
      await uow.profiles
        .at(folder)
        .put(JsonContent.from(profile, { filename: PROFILE_FILENAME }));
      await this.faceCheck.verify(userId, avatar, {
        fail: options.failVerification,
      });
      return this.filesIn(uow, folder);
    });
  }

  listFiles(userId: number): Promise<UserFile[]> {
    return this.uow.run((uow) => this.filesIn(uow, new UserPath(userId)));
  }

  readAvatar(userId: number): Promise<Content> {
    const folder = new UserPath(userId);
    return this.uow.run(async (uow) => {
      const [path] = await listAll(
        uow.avatars.at(folder),
        `${AVATAR_BASENAME}.`,
      );
      return readOne(
        uow.avatars,
        path ?? `${folder.render()}/${AVATAR_BASENAME}`,
      );
    });
  }

  readProfile(userId: number): Promise<Content> {
    const folder = new UserPath(userId);
    return this.uow.run((uow) =>
      readOne(uow.profiles, `${folder.render()}/${PROFILE_FILENAME}`),
    );
  }

  /** Removes every file of the user in one unit of work; returns what was removed. */
  deleteUser(userId: number): Promise<string[]> {
    const folder = new UserPath(userId);
    return this.uow.run(async (uow) => {
      const avatars = await uow.avatars.at(folder).deletePrefix();
      const profiles = await uow.profiles.at(folder).deletePrefix();
      return [...avatars, ...profiles].map((file) => file.path);
    });
  }

  /** A user has one avatar: an upload as PNG replaces an earlier JPEG. */
  private async dropOtherAvatars(
    avatars: UserFiles,
    folder: UserPath,
    keep: string,
  ): Promise<void> {
    const keepPath = `${folder.render()}/${keep}`;
    const stale = (
      await listAll(avatars.at(folder), `${AVATAR_BASENAME}.`)
    ).filter((path) => path !== keepPath);
    if (stale.length > 0) await avatars.delete(...stale);
  }

  private async filesIn(
    uow: AppUnitOfWork,
    folder: UserPath,
  ): Promise<UserFile[]> {
    const files: UserFile[] = [];
    for (const repository of [uow.avatars, uow.profiles]) {
      const paths = await listAll(repository.at(folder));
      for (const stat of await repository.stat(...paths)) {
        if (!stat) continue;
        files.push({
          namespace: repository.namespace,
          path: stat.path,
          size: stat.size,
          mediaType: stat.mediaType,
          updatedAt: stat.updatedAt,
        });
      }
    }
    return files;
  }
}

function avatarFilename(mediaType: string): string {
  const extension = extensionForMediaType(mediaType);
  return extension ? `${AVATAR_BASENAME}.${extension}` : AVATAR_BASENAME;
}

/** Every visible path under the repository's folder; list() returns paths from the namespace root. */
async function listAll(repository: UserFiles, prefix = ''): Promise<string[]> {
  const paths: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await repository.list({ prefix, cursor });
    paths.push(...page.paths);
    cursor = page.cursor;
  } while (cursor !== null);
  return paths;
}

async function readOne(repository: UserFiles, path: string): Promise<Content> {
  const found = (await repository.get(path)).at(0);
  if (!found) throw new FileNotFoundError(repository.namespace, path);
  return found.content;
}
