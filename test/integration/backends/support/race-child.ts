/**
 * A separate process for the cross-process lock test: it opens units of work against a shared
 * PostgreSQL schema (with its own in-memory storage) when the parent says go, and commits
 * only when told, so the parent controls how long each one holds its locks.
 */
// Direct imports rather than the package index: the child then skips loading NestJS.
import { PostgresBackend } from '../../../../lib/backends/postgres/postgres.backend';
import { InMemoryConnector } from '../../../../lib/connectors/in-memory/in-memory.connector';
import { TextContent } from '../../../../lib/core/content/text.content';
import type { FennFlowError } from '../../../../lib/core/errors/fennflow.errors';
import { Create } from '../../../../lib/core/repository/capabilities/create.capability';
import { defineRepository } from '../../../../lib/core/repository/define-repository';
import { UnitOfWork } from '../../../../lib/core/unit-of-work/unit-of-work';
import { UnitOfWorkFactory } from '../../../../lib/core/unit-of-work/unit-of-work.factory';
import { quietLogger } from './backend-fixtures';

export type ParentMessage =
  | { readonly type: 'go'; readonly path: string }
  | { readonly type: 'commit' }
  | { readonly type: 'exit' };

export type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'staged'; readonly sessionId: string }
  | { readonly type: 'failed'; readonly code: string; readonly message: string }
  | { readonly type: 'committed' };

class RaceUnitOfWork extends UnitOfWork {
  readonly files = this.repository(defineRepository(Create), {
    namespace: 'race-files',
  });
}

const send = (message: ChildMessage) => process.send?.(message);

async function main(): Promise<void> {
  const backend = new PostgresBackend({
    connectionString: String(process.env.RACE_DATABASE_URL),
    schema: String(process.env.RACE_SCHEMA),
    scope: String(process.env.RACE_SCOPE),
  });
  await backend.open();
  const factory = new UnitOfWorkFactory({
    backend,
    connector: new InMemoryConnector(`race-${process.pid}`),
    unitOfWork: RaceUnitOfWork,
    logger: quietLogger,
  });
  let holding: RaceUnitOfWork | null = null;

  process.on('message', (message: ParentMessage) => {
    void (async () => {
      if (message.type === 'go') {
        const uow = await factory.begin();
        try {
          await uow.files.create(
            TextContent.from(`written by ${process.pid}`, {
              filename: message.path,
            }),
          );
          holding = uow;
          send({ type: 'staged', sessionId: uow.id });
        } catch (error) {
          await uow.close();
          const { code, message: text } = error as FennFlowError;
          send({ type: 'failed', code: String(code), message: text });
        }
      } else if (message.type === 'commit' && holding) {
        await holding.commit();
        await holding.close();
        holding = null;
        send({ type: 'committed' });
      } else if (message.type === 'exit') {
        await factory.shutdown(1000);
        await backend.close();
        process.exit(0);
      }
    })().catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
