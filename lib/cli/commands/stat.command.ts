import { randomUUID } from 'node:crypto';
import { isVisibleTo, recordKeyOf } from '../../core/backend/file-record';
import { validateNamespace } from '../../core/paths/namespace';
import { validatePath } from '../../core/paths/storage-path';
import type { CliCommand } from '../cli-command';
import { EXIT_FAILURES, EXIT_OK } from '../exit-codes';
import { openStorage } from '../open-storage';
import { UsageError } from '../usage-error';
import { describeFile } from './ls.command';

export const statCommand: CliCommand = {
  name: 'stat',
  summary:
    'Show the record of visible files (size, media type, etag, dates) from the backend; exit 1 if one is missing.',
  usage: '<namespace> <path>...',
  flags: [],
  async run(context) {
    const [rawNamespace, ...rawPaths] = context.positionals;
    if (rawNamespace === undefined || rawPaths.length === 0) {
      throw new UsageError(
        'fennflow stat needs a namespace and at least one path: fennflow stat avatars users/1/me.png',
      );
    }
    const namespace = validateNamespace(rawNamespace);
    const paths = rawPaths.map((p) => validatePath(p, { allowEmpty: false }));
    const storage = await openStorage(context, { needNamespaces: false });
    try {
      const rows = await storage.backend.getRecords(
        paths.map((path) => ({ namespace, path })),
      );
      const probe = `cli-${randomUUID()}`;
      const found = paths.map((path) => {
        const row = rows.get(recordKeyOf({ namespace, path }));
        return {
          path,
          file: row && isVisibleTo(row, probe) ? describeFile(row) : null,
        };
      });
      if (context.options.json) {
        context.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
      } else {
        for (const { path, file } of found) {
          if (!file) {
            context.stdout.write(`${namespace}/${path}: not found\n`);
            continue;
          }
          context.stdout.write(
            [
              `${namespace}/${path}`,
              `  size       ${file.size ?? '-'}`,
              `  mediaType  ${file.mediaType ?? '-'}`,
              `  etag       ${file.etag ?? '-'}`,
              `  status     ${file.status}`,
              `  updatedAt  ${file.updatedAt}`,
              `  metadata   ${JSON.stringify(file.metadata)}`,
            ].join('\n') + '\n',
          );
        }
      }
      return found.every((f) => f.file) ? EXIT_OK : EXIT_FAILURES;
    } finally {
      await storage.close();
    }
  },
};
