import type { WriteIntent } from '../../unit-of-work/write-plan';
import { contextOf, RepositoryBase } from '../repository.base';
import type { DeletedFile } from '../repository-results';

/**
 * Marks files deleted for this session; their objects are removed only after the commit, so
 * a rollback costs nothing. Repeated paths are staged once (upstream bug 7).
 */
export async function removeFiles(
  repository: RepositoryBase,
  paths: readonly string[],
): Promise<(DeletedFile | null)[]> {
  const context = contextOf(repository);
  const session = context.session();
  const unique = [...new Set(paths)];
  return session.track(async () => {
    const intents: WriteIntent[] = unique.map((path) => ({
      namespace: context.namespace,
      path,
      operation: 'delete',
      effect: 'remove',
      require: 'visible',
      skipIfInvisible: true,
    }));
    const { steps } = await session.write(intents, async () => null);
    const byPath = new Map<string, DeletedFile | null>();
    for (const step of steps) {
      byPath.set(
        step.intent.path,
        step.record
          ? {
              path: step.record.path,
              namespace: step.record.namespace,
              size: step.record.size,
              mediaType: step.record.mediaType,
            }
          : null,
      );
    }
    return paths.map((path) => byPath.get(path) ?? null);
  });
}
