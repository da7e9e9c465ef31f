import {
  InvalidPathError,
  ObjectAlreadyExistsError,
} from '../../errors/fennflow.errors';
import { validateNamespace } from '../../paths/namespace';
import { resolveFilePath } from '../../paths/storage-path';
import type { WriteIntent } from '../../unit-of-work/write-plan';
import { contextOf, resolveIn, RepositoryBase } from '../repository.base';
import type { CopyOptions, StoredFile } from '../repository-results';

/**
 * Copy and move: a server-side copy onto the target (backed up first when it replaces a file);
 * a move also removes the source, which storage sees only after the commit.
 */
export async function transferFile(
  repository: RepositoryBase,
  from: string,
  to: string,
  options: CopyOptions,
  mode: 'copy' | 'move',
): Promise<StoredFile> {
  const context = contextOf(repository);
  const source = {
    namespace: context.namespace,
    path: resolveIn(repository, from),
  };
  const targetNamespace =
    options.toNamespace === undefined
      ? context.namespace
      : validateNamespace(options.toNamespace);
  const targetPath = resolveFilePath(context.folder, to);
  context.connector.validateKey(targetNamespace, targetPath);
  if (targetNamespace === source.namespace && targetPath === source.path) {
    throw new InvalidPathError(
      targetPath,
      `${mode}() needs a target different from its source`,
    );
  }
  const target: WriteIntent = {
    namespace: targetNamespace,
    path: targetPath,
    operation: mode,
    effect: 'write',
    require: options.overwrite === false ? 'absent' : 'any',
    source,
  };
  const intents: WriteIntent[] = [target];
  if (mode === 'move') {
    intents.push({
      ...source,
      operation: 'move',
      effect: 'remove',
      require: 'visible',
    });
  }
  const session = context.session();
  return session.track(async () => {
    const { steps, results } = await session.write(
      intents,
      async (step) => {
        if (step.intent.effect === 'remove') return null;
        return session.writeBytes(step, async (conditional) => {
          if (
            conditional &&
            (await context.connector.headObject(targetNamespace, targetPath))
          ) {
            throw new ObjectAlreadyExistsError(targetNamespace, targetPath);
          }
          return context.connector.copyObject(
            { namespace: source.namespace, key: source.path },
            { namespace: targetNamespace, key: targetPath },
          );
        });
      },
      [source],
    );
    const written = steps[0];
    return {
      path: targetPath,
      namespace: targetNamespace,
      size: results[0]?.size ?? written.record?.size ?? null,
      mediaType: written.record?.mediaType ?? null,
      etag: results[0]?.etag ?? null,
    };
  });
}
