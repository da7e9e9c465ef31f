import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import {
  BackendConfig,
  ConfigurationError,
  Create,
  defineRepository,
  FennFlowBackend,
  FennFlowConnector,
  FennFlowModule,
  FennFlowModuleOptions,
  FennFlowOptionsFactory,
  Get,
  getBackendToken,
  getRecoveryServiceToken,
  getUnitOfWorkFactoryToken,
  InjectBackend,
  InjectUnitOfWork,
  InMemoryBackend,
  InMemoryBackendConfig,
  InMemoryConnector,
  InMemoryConnectorConfig,
  InvalidNamespaceError,
  List,
  TextContent,
  UnitOfWork,
  UnitOfWorkFactory,
  RecoveryService,
  Reconciler,
  GarbageCollector,
  getReconcilerToken,
  getGarbageCollectorToken,
} from 'fennflow-nestjs';
import { stopLeaseRenewal } from '../../support/in-memory-fixture';

const NotesRepository = defineRepository(Create, Get, List);

class NotesUnitOfWork extends UnitOfWork {
  readonly notes = this.repository(NotesRepository, { namespace: 'notes' });
}

@Injectable()
class NotesService {
  constructor(
    @InjectUnitOfWork() readonly uow: UnitOfWorkFactory<NotesUnitOfWork>,
  ) {}

  add(name: string, body: string) {
    return this.uow.run((uow) =>
      uow.notes.create(TextContent.from(body, { filename: name })),
    );
  }

  list() {
    return this.uow.run(async (uow) => (await uow.notes.list()).paths);
  }
}

@Injectable()
class ArchiveService {
  constructor(
    @InjectUnitOfWork('archive')
    readonly uow: UnitOfWorkFactory<NotesUnitOfWork>,
    @InjectBackend('archive') readonly backend: FennFlowBackend,
  ) {}
}

const uniqueScope = () => `nest-${randomUUID()}`;

describe('FennFlowModule', () => {
  afterEach(() => {
    InMemoryBackend.reset();
    InMemoryConnector.reset();
  });

  it('forRoot provides the default scope under class tokens, injectable by type and by decorator', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        FennFlowModule.forRoot(new InMemoryBackendConfig(), {
          unitOfWork: NotesUnitOfWork,
        }),
      ],
      providers: [NotesService],
    }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();
    const service = app.get(NotesService);
    expect(service.uow).toBe(app.get(UnitOfWorkFactory));
    expect(app.get(FennFlowBackend)).toBeInstanceOf(InMemoryBackend);
    expect(app.get(FennFlowConnector)).toBeInstanceOf(InMemoryConnector);
    await service.add('a.txt', 'hello');
    expect(await service.list()).toEqual(['a.txt']);
    await app.close();
  });

  it('forRootAsync with useFactory and inject, from an imported module', async () => {
    const scope = uniqueScope();
    @Injectable()
    class StorageSettings {
      readonly scope = scope;
    }
    @Module({ providers: [StorageSettings], exports: [StorageSettings] })
    class SettingsModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [
        FennFlowModule.forRootAsync({
          scope,
          imports: [SettingsModule],
          inject: [StorageSettings],
          useFactory: (settings: StorageSettings) => ({
            backend: new InMemoryBackendConfig({ scope: settings.scope }),
            unitOfWork: NotesUnitOfWork,
          }),
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication().init();
    const factory = app.get<UnitOfWorkFactory<NotesUnitOfWork>>(
      getUnitOfWorkFactoryToken(scope),
    );
    expect(factory.backend.scope).toBe(scope);
    expect(getUnitOfWorkFactoryToken(scope)).toBe(`UnitOfWorkFactory_${scope}`);
    await factory.run((uow) =>
      uow.notes.create(TextContent.from('x', { filename: 'x.txt' })),
    );
    await app.close();
  });

  it('forRootAsync with useClass and with useExisting', async () => {
    const scope = uniqueScope();
    @Injectable()
    class OptionsFactory implements FennFlowOptionsFactory {
      createFennFlowOptions(forScope: string): FennFlowModuleOptions {
        return {
          backend: new InMemoryBackendConfig({ scope: forScope }),
          unitOfWork: NotesUnitOfWork,
        };
      }
    }
    const withClass = await Test.createTestingModule({
      imports: [
        FennFlowModule.forRootAsync({ scope, useClass: OptionsFactory }),
      ],
    }).compile();
    const app1 = await withClass.createNestApplication().init();
    await app1
      .get<UnitOfWorkFactory<NotesUnitOfWork>>(getUnitOfWorkFactoryToken(scope))
      .run((uow) =>
        uow.notes.create(TextContent.from('from class', { filename: 'c.txt' })),
      );
    await app1.close();

    @Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
    class OptionsModule {}
    const withExisting = await Test.createTestingModule({
      imports: [
        FennFlowModule.forRootAsync({
          scope,
          imports: [OptionsModule],
          useExisting: OptionsFactory,
        }),
      ],
    }).compile();
    const app2 = await withExisting.createNestApplication().init();
    const paths = await app2
      .get<UnitOfWorkFactory<NotesUnitOfWork>>(getUnitOfWorkFactoryToken(scope))
      .run(async (uow) => (await uow.notes.list()).paths);
    // Same scope in a second app: same metadata (and same in-memory store).
    expect(paths).toEqual(['c.txt']);
    await app2.close();
  });

  it('registers several scopes in one app, isolated from each other', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        FennFlowModule.forRoot(new InMemoryBackendConfig(), {
          unitOfWork: NotesUnitOfWork,
        }),
        FennFlowModule.forRoot(
          new InMemoryBackendConfig({ scope: 'archive' }),
          { unitOfWork: NotesUnitOfWork },
        ),
      ],
      providers: [NotesService, ArchiveService],
    }).compile();
    const app = await moduleRef.createNestApplication().init();
    const notes = app.get(NotesService);
    const archive = app.get(ArchiveService);
    expect(archive.uow).not.toBe(notes.uow);
    expect(archive.backend.scope).toBe('archive');
    expect(app.get(getBackendToken('archive'))).toBe(archive.backend);
    await notes.add('only-default.txt', 'x');
    expect(
      await archive.uow.run(async (uow) => (await uow.notes.list()).paths),
    ).toEqual([]);
    expect(await notes.list()).toEqual(['only-default.txt']);
    await app.close();
  });

  it('overrideProvider on the backend token replaces what the whole app uses', async () => {
    const replacement = new InMemoryBackend(uniqueScope());
    const moduleRef = await Test.createTestingModule({
      imports: [
        FennFlowModule.forRoot(new InMemoryBackendConfig(), {
          unitOfWork: NotesUnitOfWork,
        }),
      ],
      providers: [NotesService],
    })
      .overrideProvider(getBackendToken())
      .useValue(replacement)
      .compile();
    const app = await moduleRef.createNestApplication().init();
    await app.get(NotesService).add('a.txt', 'x');
    const page = await replacement.listVisible({
      sessionId: 'nobody',
      namespace: 'notes',
      prefix: '',
      after: null,
      limit: 10,
    });
    expect(page.map((r) => r.path)).toEqual(['a.txt']);
    expect(await new InMemoryBackend('default').isEmpty()).toBe(true);
    await app.close();
  });

  it('refuses a factory whose backend scope differs from the registered scope', async () => {
    const moduleRef = Test.createTestingModule({
      imports: [
        FennFlowModule.forRootAsync({
          scope: 'reports',
          useFactory: () => ({
            backend: new InMemoryBackendConfig({ scope: 'other' }),
          }),
        }),
      ],
    });
    await expect(moduleRef.compile()).rejects.toBeInstanceOf(
      ConfigurationError,
    );
  });

  it('refuses an invalid namespace when the module starts', async () => {
    const Repo = defineRepository(Get);
    class BadUnitOfWork extends UnitOfWork {
      readonly files = this.repository(Repo, { namespace: 'Bad_Name' });
    }
    const moduleRef = Test.createTestingModule({
      imports: [
        FennFlowModule.forRoot(
          new InMemoryBackendConfig({ scope: uniqueScope() }),
          { unitOfWork: BadUnitOfWork },
        ),
      ],
    });
    await expect(moduleRef.compile()).rejects.toBeInstanceOf(
      InvalidNamespaceError,
    );
  });

  it('refuses something that is not a backend config with a message that says what to pass', () => {
    expect(() => FennFlowModule.forRoot({} as BackendConfig)).toThrow(
      ConfigurationError,
    );
    expect(() => FennFlowModule.forRoot({} as BackendConfig)).toThrow(
      /new InMemoryBackendConfig\(\)/,
    );
  });

  it('app.close() waits for open units of work, then closes the connector and then the backend', async () => {
    const scope = uniqueScope();
    const events: string[] = [];
    class TrackedBackend extends InMemoryBackend {
      override async close() {
        events.push('backend closed');
      }
    }
    class TrackedConnector extends InMemoryConnector {
      override async close() {
        events.push('connector closed');
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [
        FennFlowModule.forRoot(
          {
            scope,
            kind: 'tracked',
            create: async () => new TrackedBackend(scope),
          },
          {
            unitOfWork: NotesUnitOfWork,
            connector: {
              kind: 'tracked',
              create: async () => new TrackedConnector(scope),
            },
          },
        ),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication().init();
    const factory = app.get<UnitOfWorkFactory<NotesUnitOfWork>>(
      getUnitOfWorkFactoryToken(scope),
    );
    const running = factory.run(async (uow) => {
      await uow.notes.create(
        TextContent.from('slow', { filename: 'slow.txt' }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      events.push('unit of work finished');
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await app.close();
    await running;
    expect(events).toEqual([
      'unit of work finished',
      'connector closed',
      'backend closed',
    ]);
    const check = new UnitOfWorkFactory({
      backend: new InMemoryBackend(scope),
      connector: new InMemoryConnector(scope),
      unitOfWork: NotesUnitOfWork,
    });
    expect(
      await check.run(async (uow) => (await uow.notes.list()).paths),
    ).toEqual(['slow.txt']);
  });

  it('defaults to the in-memory connector whose store is named after the scope', async () => {
    const scope = uniqueScope();
    const moduleRef = await Test.createTestingModule({
      imports: [
        FennFlowModule.forRoot(new InMemoryBackendConfig({ scope }), {
          unitOfWork: NotesUnitOfWork,
          connector: new InMemoryConnectorConfig(),
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication().init();
    await app
      .get<UnitOfWorkFactory<NotesUnitOfWork>>(getUnitOfWorkFactoryToken(scope))
      .run((uow) =>
        uow.notes.create(TextContent.from('x', { filename: 'x.txt' })),
      );
    expect(
      (await new InMemoryConnector(scope).listObjects('notes')).objects.map(
        (o) => o.key,
      ),
    ).toEqual(['x.txt']);
    await app.close();
  });

  it('recovers sessions left by a dead process when the app starts, and on demand', async () => {
    const scope = uniqueScope();
    const crashed = new UnitOfWorkFactory({
      backend: new InMemoryBackend(scope),
      connector: new InMemoryConnector(scope),
      unitOfWork: NotesUnitOfWork,
      leaseMs: 30,
    });
    const dead = await crashed.begin();
    await dead.notes.create(TextContent.from('half', { filename: 'half.txt' }));
    stopLeaseRenewal(dead);
    await new Promise((resolve) => setTimeout(resolve, 60));

    const moduleRef = await Test.createTestingModule({
      imports: [
        FennFlowModule.forRoot(new InMemoryBackendConfig({ scope }), {
          unitOfWork: NotesUnitOfWork,
          recovery: { intervalMs: 50 },
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication().init();
    expect(
      (await new InMemoryConnector(scope).listObjects('notes')).objects,
    ).toEqual([]);
    expect(
      await app
        .get<FennFlowBackend>(getBackendToken(scope))
        .getSession(dead.id),
    ).toBeNull();
    expect(
      await app.get<RecoveryService>(getRecoveryServiceToken(scope)).run(),
    ).toEqual([]);
    await app.close();
  });

  it('recovers on its interval sessions that die while the app runs; enabled: false waits for run()', async () => {
    const scope = uniqueScope();
    const plainFactory = new UnitOfWorkFactory({
      backend: new InMemoryBackend(scope),
      connector: new InMemoryConnector(scope),
      unitOfWork: NotesUnitOfWork,
      leaseMs: 30,
    });
    const start = (recovery: { enabled?: boolean; intervalMs?: number }) =>
      Test.createTestingModule({
        imports: [
          FennFlowModule.forRoot(new InMemoryBackendConfig({ scope }), {
            unitOfWork: NotesUnitOfWork,
            recovery,
          }),
        ],
      })
        .compile()
        .then((moduleRef) => moduleRef.createNestApplication().init());
    const dieNow = async (name: string) => {
      const dead = await plainFactory.begin();
      await dead.notes.create(TextContent.from('half', { filename: name }));
      stopLeaseRenewal(dead);
      return dead.id;
    };
    const stored = async () =>
      (await new InMemoryConnector(scope).listObjects('notes')).objects.map(
        (o) => o.key,
      );

    const running = await start({ intervalMs: 50 });
    await dieNow('while-running.txt');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await stored()).toEqual([]);
    await running.close();

    const disabled = await start({ enabled: false, intervalMs: 50 });
    await dieNow('left-alone.txt');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await stored()).toEqual(['left-alone.txt']);
    expect(
      await disabled.get<RecoveryService>(getRecoveryServiceToken(scope)).run(),
    ).toEqual(['rolled-back']);
    expect(await stored()).toEqual([]);
    await disabled.close();
  });

  it('reconciles on start when configured, and provides Reconciler and GarbageCollector', async () => {
    const scope = uniqueScope();
    const storage = new InMemoryConnector(scope);
    await storage.putObject(
      'notes',
      'imported.txt',
      Buffer.from('from another tool'),
      {
        mediaType: 'text/plain',
        metadata: {},
      },
    );
    const moduleRef = await Test.createTestingModule({
      imports: [
        FennFlowModule.forRoot(new InMemoryBackendConfig({ scope }), {
          unitOfWork: NotesUnitOfWork,
          reconcile: {
            frequency: 'on-start-app',
            strategy: 'fill-if-empty',
            batchSize: 100,
          },
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication().init();
    const factory = app.get<UnitOfWorkFactory<NotesUnitOfWork>>(
      getUnitOfWorkFactoryToken(scope),
    );
    expect(
      await factory.run(async (uow) => (await uow.notes.list()).paths),
    ).toEqual(['imported.txt']);
    const reconciler = app.get<Reconciler>(getReconcilerToken(scope));
    expect(reconciler).toBe(factory.reconciler);
    const report = await reconciler.reconcile({ strategy: 'insert-missing' });
    expect(report.namespaces[0]).toMatchObject({
      namespace: 'notes',
      scanned: 1,
      inserted: 0,
    });
    const gc = app.get<GarbageCollector>(getGarbageCollectorToken(scope));
    expect((await gc.collect({ dryRun: true })).removed).toEqual([]);
    await app.close();
  });

  it('refuses an unknown reconcile strategy when the module is declared', () => {
    expect(() =>
      FennFlowModule.forRoot(new InMemoryBackendConfig(), {
        reconcile: { strategy: 'everything' as 'replace' },
      }),
    ).toThrow(ConfigurationError);
  });
});
