import { randomUUID } from 'node:crypto';
import type { FileRecord } from '../../core/backend/file-record';
import { validateNamespace } from '../../core/paths/namespace';
import type { CliCommand } from '../cli-command';
import { parsePositiveInteger } from '../duration';
import { EXIT_OK } from '../exit-codes';
import { openStorage } from '../open-storage';
import { UsageError } from '../usage-error';

const PAGE = 1000;

export const lsCommand: CliCommand = {
  name: 'ls',
  summary:
    'List visible files from the backend (no storage call); all configured namespaces when none is given.',
  usage: '[namespace]',
  flags: [
    ['prefix', 'Only paths starting with this string'],
    ['limit', 'Stop after this many files per namespace'],
  ],
  async run(context) {
    const { options, positionals } = context;
    if (positionals.length > 1) {
      throw new UsageError('fennflow ls takes at most one namespace.');
    }
    const limit =
      options.limit === undefined
        ? Number.POSITIVE_INFINITY
        : parsePositiveInteger('--limit', options.limit);
    const storage = await openStorage(context, {
      needNamespaces: positionals.length === 0,
    });
    try {
      const namespaces =
        positionals.length === 1
          ? [validateNamespace(positionals[0])]
          : storage.namespaces;
      // A session id nobody holds sees exactly the committed files.
      const probe = `cli-${randomUUID()}`;
      let first = true;
      if (options.json) context.stdout.write('[');
      for (const namespace of namespaces) {
        let after: string | null = null;
        let listed = 0;
        while (listed < limit) {
          const page: FileRecord[] = await storage.backend.listVisible({
            sessionId: probe,
            namespace,
            prefix: options.prefix ?? '',
            after,
            limit: Math.min(PAGE, limit - listed),
          });
          for (const record of page) {
            if (options.json) {
              context.stdout.write(
                `${first ? '\n' : ',\n'}  ${JSON.stringify(describeFile(record))}`,
              );
            } else {
              context.stdout.write(
                `${namespace}/${record.path}\t${record.size ?? '-'}\t${record.updatedAt.toISOString()}\n`,
              );
            }
            first = false;
          }
          listed += page.length;
          if (page.length === 0) break;
          after = page[page.length - 1].path;
        }
      }
      if (options.json) context.stdout.write(first ? ']\n' : '\n]\n');
      return EXIT_OK;
    } finally {
      await storage.close();
    }
  },
};

export function describeFile(record: FileRecord) {
  return {
    namespace: record.namespace,
    path: record.path,
    size: record.size,
    mediaType: record.mediaType,
    etag: record.etag,
    status: record.status,
    metadata: record.metadata,
    updatedAt: record.updatedAt.toISOString(),
  };
}
