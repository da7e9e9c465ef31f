import { INestApplication, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import {
  ConfigurationError,
  Create,
  defineRepository,
  FennFlowConnector,
  FennFlowModule,
  Get,
  getConnectorToken,
  getUnitOfWorkHostToken,
  InjectUnitOfWorkHost,
  InMemoryBackend,
  InMemoryBackendConfig,
  InMemoryConnector,
  List,
  Propagation,
  Put,
  TextContent,
  UnitOfWork,
  UnitOfWorkFactory,
  UnitOfWorkHost,
  UnitOfWorkNotActiveError,
  WithUnitOfWork,
} from 'fennflow-nestjs';
import { storedKeys, storedText } from '../../support/in-memory-fixture';

const FilesRepository = defineRepository(Create, Put, Get, List);

class AccountUnitOfWork extends UnitOfWork {
  readonly avatars = this.repository(FilesRepository, {
    namespace: 'avatars',
  });
  readonly profiles = this.repository(FilesRepository, {
    namespace: 'profiles',
  });
}

const text = (body: string, filename: string) =>
  TextContent.from(body, { filename });

/** Injected by type: the default scope's host. */
@Injectable()
class AvatarService {
  readonly seen: string[] = [];

  constructor(readonly host: UnitOfWorkHost<AccountUnitOfWork>) {}

  @WithUnitOfWork({ propagation: Propagation.Mandatory })
  async save(userId: number, body: string): Promise<void> {
    this.seen.push(this.host.current.id);
    await this.host.current.avatars.put(text(body, `${userId}.png`));
  }
}

/** Injected by decorator. */
@Injectable()
class ProfileService {
  readonly seen: string[] = [];

  constructor(
    @InjectUnitOfWorkHost() readonly host: UnitOfWorkHost<AccountUnitOfWork>,
  ) {}

  async save(userId: number, body: string, fail: boolean): Promise<void> {
    this.seen.push(this.host.current.id);
    await this.host.current.profiles.put(text(body, `${userId}.json`));
    if (fail) throw new Error('profile rejected');
  }
}

/** Has no host injected: the decorator finds it on its own. */
@Injectable()
class SignupService {
  constructor(
    private readonly avatars: AvatarService,
    private readonly profiles: ProfileService,
  ) {}

  @WithUnitOfWork()
  @SetMetadata('roles', ['admin'])
  async signUp(
    userId: number,
    avatar: string,
    profile: string,
    fail = false,
  ): Promise<string> {
    await this.avatars.save(userId, avatar);
    await this.profiles.save(userId, profile, fail);
    return `user ${userId}`;
  }
}

/** Never provided to Nest, so nothing is injected into it. */
class ImportJob {
  constructor(private readonly avatars: AvatarService) {}

  @SetMetadata('job', 'import')
  @WithUnitOfWork()
  async importAvatars(count: number): Promise<void> {
    for (let i = 1; i <= count; i += 1)
      await this.avatars.save(i, `imported ${i}`);
  }
}

async function createApp(
  ...imports: ReturnType<typeof FennFlowModule.forRoot>[]
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      FennFlowModule.forRoot(new InMemoryBackendConfig(), {
        unitOfWork: AccountUnitOfWork,
      }),
      ...imports,
    ],
    providers: [AvatarService, ProfileService, SignupService],
  }).compile();
  return moduleRef.createNestApplication().init();
}

describe('@WithUnitOfWork and UnitOfWorkHost in Nest', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
    InMemoryBackend.reset();
    InMemoryConnector.reset();
  });

  it('provides the host of the default scope under its class, the factory’s own host', async () => {
    app = await createApp();
    const host = app.get(UnitOfWorkHost);
    expect(host).toBe(app.get(UnitOfWorkFactory).host);
    expect(getUnitOfWorkHostToken()).toBe(UnitOfWorkHost);
    expect(app.get(AvatarService).host).toBe(host);
    expect(app.get(ProfileService).host).toBe(host);
  });

  it('one unit of work spans the services the decorated method calls, and commits both writes', async () => {
    app = await createApp();
    const result = await app.get(SignupService).signUp(1, 'face', '{"a":1}');
    expect(result).toBe('user 1');
    const connector = app.get<FennFlowConnector>(FennFlowConnector);
    expect(await storedKeys(connector, 'avatars')).toEqual(['1.png']);
    expect(await storedKeys(connector, 'profiles')).toEqual(['1.json']);
    const [avatarId] = app.get(AvatarService).seen;
    expect(app.get(ProfileService).seen).toEqual([avatarId]);
    expect(app.get(UnitOfWorkHost).isActive).toBe(false);
  });

  it('a throw in the second service leaves nothing behind: new files gone, a replaced file back', async () => {
    app = await createApp();
    const signup = app.get(SignupService);
    await signup.signUp(1, 'old face', '{"v":1}');
    await expect(signup.signUp(1, 'new face', '{"v":2}', true)).rejects.toThrow(
      'profile rejected',
    );
    await expect(signup.signUp(2, 'face', '{}', true)).rejects.toThrow(
      'profile rejected',
    );
    const connector = app.get<FennFlowConnector>(FennFlowConnector);
    expect(await storedKeys(connector, 'avatars')).toEqual(['1.png']);
    expect(await storedKeys(connector, 'profiles')).toEqual(['1.json']);
    expect(await storedText(connector, 'avatars', '1.png')).toBe('old face');
    expect(await storedText(connector, 'profiles', '1.json')).toBe('{"v":1}');
  });

  it('a Mandatory method called outside any unit of work rejects with UnitOfWorkNotActiveError', async () => {
    app = await createApp();
    await expect(app.get(AvatarService).save(1, 'face')).rejects.toBeInstanceOf(
      UnitOfWorkNotActiveError,
    );
    expect(
      await storedKeys(
        app.get<FennFlowConnector>(FennFlowConnector),
        'avatars',
      ),
    ).toEqual([]);
  });

  it('works on a class Nest never created, with nothing injected into it', async () => {
    app = await createApp();
    const avatars = app.get(AvatarService);
    await new ImportJob(avatars).importAvatars(3);
    expect(new Set(avatars.seen).size).toBe(1);
    expect(
      await storedKeys(
        app.get<FennFlowConnector>(FennFlowConnector),
        'avatars',
      ),
    ).toEqual(['1.png', '2.png', '3.png']);
  });

  it('keeps the metadata of other decorators, above or below it, and the method name', async () => {
    app = await createApp();
    const reflector = app.get(Reflector);
    expect(
      reflector.get<string[]>('roles', SignupService.prototype.signUp),
    ).toEqual(['admin']);
    expect(
      reflector.get<string>('job', ImportJob.prototype.importAvatars),
    ).toBe('import');
    expect(SignupService.prototype.signUp.name).toBe('signUp');
  });

  it('runs a method in a named scope with that scope’s host, apart from the default one', async () => {
    const scope = `archive-${randomUUID()}`;

    @Injectable()
    class ArchiveService {
      constructor(
        @InjectUnitOfWorkHost(scope)
        readonly host: UnitOfWorkHost<AccountUnitOfWork>,
        readonly defaultHost: UnitOfWorkHost,
      ) {}

      @WithUnitOfWork({ scope })
      async archive(userId: number, fail = false): Promise<void> {
        expect(this.defaultHost.isActive).toBe(false);
        await this.host.current.profiles.create(text('old', `${userId}.json`));
        if (fail) throw new Error('archive failed');
      }
    }

    const moduleRef = await Test.createTestingModule({
      imports: [
        FennFlowModule.forRoot(new InMemoryBackendConfig(), {
          unitOfWork: AccountUnitOfWork,
        }),
        FennFlowModule.forRoot(new InMemoryBackendConfig({ scope }), {
          unitOfWork: AccountUnitOfWork,
        }),
      ],
      providers: [ArchiveService],
    }).compile();
    app = await moduleRef.createNestApplication().init();
    const service = app.get(ArchiveService);
    expect(getUnitOfWorkHostToken(scope)).toBe(`UnitOfWorkHost_${scope}`);
    expect(service.host).toBe(app.get(getUnitOfWorkHostToken(scope)));
    expect(service.host).not.toBe(app.get(UnitOfWorkHost));

    await service.archive(1);
    await expect(service.archive(2, true)).rejects.toThrow('archive failed');
    const archive = app.get<FennFlowConnector>(getConnectorToken(scope));
    expect(await storedKeys(archive, 'profiles')).toEqual(['1.json']);
    expect(
      await storedKeys(
        app.get<FennFlowConnector>(FennFlowConnector),
        'profiles',
      ),
    ).toEqual([]);
  });

  it('rejects with a ConfigurationError when no module registered the scope', async () => {
    const scope = `missing-${randomUUID()}`;
    class Orphan {
      called = false;

      @WithUnitOfWork({ scope })
      async work(): Promise<void> {
        this.called = true;
      }
    }
    const orphan = new Orphan();
    const attempt = orphan.work();
    await expect(attempt).rejects.toBeInstanceOf(ConfigurationError);
    await expect(attempt).rejects.toThrow(`scope '${scope}'`);
    expect(orphan.called).toBe(false);
  });
});
