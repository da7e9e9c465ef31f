import type { Content } from '../../content';
import { DuplicatePathError } from '../../errors/fennflow.errors';
import type { WriteIntent } from '../../unit-of-work/write-plan';
import { contextOf, resolveIn, RepositoryBase } from '../repository.base';
import type { StoredFile } from '../repository-results';

/**
 * Shared by create and put: validates every file before anything is written (SPEC §8.6,
 * upstream bug 18), stages them in one backend call, then uploads with backups first.
 */
export async function writeFiles(
  repository: RepositoryBase,
  files: readonly Content[],
  mode: 'create' | 'put',
): Promise<StoredFile[]> {
  const context = contextOf(repository);
  const seen = new Set<string>();
  const targets = files.map((file) => {
    assertContent(file, mode);
    const path = resolveIn(repository, file.filename);
    if (seen.has(path)) throw new DuplicatePathError(path);
    seen.add(path);
    return { file, path };
  });
  const session = context.session();
  return session.track(async () => {
    const intents: WriteIntent[] = targets.map(({ file, path }) => ({
      namespace: context.namespace,
      path,
      operation: mode,
      effect: 'write',
      require: mode === 'create' ? 'absent' : 'any',
      attributes: {
        size: file.size ?? null,
        mediaType: file.mediaType,
        metadata: file.storageMetadata(),
      },
    }));
    const byPath = new Map(targets.map((t) => [t.path, t.file]));
    const { steps, results } = await session.write(intents, (step) => {
      const file = byPath.get(step.intent.path) as Content;
      const body = file.body();
      return session.writeBytes(
        step,
        (conditional) =>
          context.connector.putObject(
            context.namespace,
            step.intent.path,
            body,
            {
              mediaType: file.mediaType,
              metadata: file.storageMetadata(),
              size: file.size,
              ifNoneMatch: conditional,
            },
          ),
        Buffer.isBuffer(body),
      );
    });
    return steps.map((step, i) => ({
      path: step.intent.path,
      namespace: context.namespace,
      size: results[i]?.size ?? null,
      mediaType: step.record?.mediaType ?? null,
      etag: results[i]?.etag ?? null,
    }));
  });
}

function assertContent(file: unknown, mode: string): asserts file is Content {
  const candidate = file as Partial<Content> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.filename !== 'string' ||
    typeof candidate.body !== 'function'
  ) {
    throw new TypeError(
      `${mode}() takes Content objects (TextContent.from(...), BinaryContent.from(...), ...).`,
    );
  }
}
