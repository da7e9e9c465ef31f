import {
  ConnectorCapabilityError,
  InvalidArgumentError,
} from '../../errors/fennflow.errors';
import { runSettled } from '../../unit-of-work/run-settled';
import { capability } from '../capability';
import { contextOf, resolveIn } from '../repository.base';
import type { PresignedUrlOptions } from '../repository-results';

export const PresignedUrl = capability('PresignedUrl', {
  /**
   * Signed GET URLs for visible files, `null` for the others, in argument order. Options may
   * follow the paths: `presignedUrl('a.txt', 'b.txt', { expiresIn: 60 })`.
   */
  async presignedUrl(
    ...pathsAndOptions: [...string[], PresignedUrlOptions] | string[]
  ): Promise<(string | null)[]> {
    const last = pathsAndOptions[pathsAndOptions.length - 1];
    const options: PresignedUrlOptions =
      typeof last === 'object' && last !== null ? last : {};
    const paths = (pathsAndOptions as (string | PresignedUrlOptions)[]).filter(
      (p): p is string => typeof p === 'string',
    );
    const context = contextOf(this);
    if (!context.connector.canSignUrls) {
      throw new ConnectorCapabilityError(context.connector.kind, 'sign URLs');
    }
    if (
      options.expiresIn !== undefined &&
      (!Number.isInteger(options.expiresIn) || options.expiresIn < 1)
    ) {
      throw new InvalidArgumentError(
        'presignedUrl(): expiresIn must be a whole number of seconds, at least 1.',
      );
    }
    const resolved = paths.map((path) => resolveIn(this, path));
    const session = context.session();
    return session.track(async () => {
      const rows = await session.visibleRecords(
        resolved.map((path) => ({ namespace: context.namespace, path })),
      );
      return runSettled(
        rows.map(
          (row) => async () =>
            row
              ? context.connector.presignGetUrl(
                  context.namespace,
                  row.path,
                  options,
                )
              : null,
        ),
        session.options.concurrency,
      );
    });
  },
});
