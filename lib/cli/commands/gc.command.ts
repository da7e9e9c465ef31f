import { GarbageCollector } from '../../core/gc/garbage-collector';
import type { CliCommand } from '../cli-command';
import { parseDuration, parsePositiveInteger } from '../duration';
import { EXIT_FAILURES, EXIT_OK } from '../exit-codes';
import { openStorage } from '../open-storage';
import { Progress } from '../progress';

export const gcCommand: CliCommand = {
  name: 'gc',
  summary:
    'Remove backups of finished sessions (recovering expired ones first) and, with --orphans, unrecorded objects.',
  usage: '',
  flags: [
    [
      'orphans',
      'Also remove objects with no visible record, older than --grace',
    ],
    ['grace', 'Age under which an orphan is kept: 90s, 30m, 24h (default), 7d'],
    ['dry-run', 'List what would be removed; remove and recover nothing'],
    ['batch-size', 'Objects per listing page (default 1000)'],
  ],
  async run(context) {
    const { options } = context;
    const graceMs =
      options.grace === undefined
        ? undefined
        : parseDuration('--grace', options.grace);
    const batchSize =
      options['batch-size'] === undefined
        ? undefined
        : parsePositiveInteger('--batch-size', options['batch-size']);
    const storage = await openStorage(context, { needNamespaces: true });
    try {
      const progress = new Progress('gc', {
        stream: context.stderr,
        enabled: !options.quiet,
        unit: 'objects',
      });
      const report = await new GarbageCollector({
        backend: storage.backend,
        connector: storage.connector,
        namespaces: storage.namespaces,
        logger: context.logger,
      }).collect({
        orphans: options.orphans ?? false,
        dryRun: options['dry-run'] ?? false,
        graceMs,
        batchSize,
        onProgress: (p) => {
          progress.updateStep(
            `${p.namespace}/${p.phase}`,
            p.scanned,
            `${p.removed} ${options['dry-run'] ? 'to remove' : 'removed'}`,
            `gc ${p.namespace} ${p.phase}`,
          );
        },
      });
      progress.finish();
      const failed =
        report.failures.length > 0 ||
        report.recovered.some((r) => r.result === 'compensation-failed');
      if (options.json) {
        context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return failed ? EXIT_FAILURES : EXIT_OK;
      }
      const verb = report.dryRun ? 'would remove' : 'removed';
      for (const item of report.removed) {
        context.stdout.write(
          `${verb} ${item.namespace}/${item.key} (${item.reason})\n`,
        );
      }
      for (const kept of report.keptSessions) {
        context.stdout.write(
          `kept the backups of session ${kept.sessionId} (${kept.reason})\n`,
        );
      }
      for (const recovered of report.recovered) {
        context.stdout.write(
          `recovered session ${recovered.sessionId}: ${recovered.result}\n`,
        );
      }
      for (const failure of report.failures) {
        context.stdout.write(
          `FAILED ${failure.namespace ?? ''}${failure.sessionId ? ` session ${failure.sessionId}` : ''}: ${failure.error}\n`,
        );
      }
      context.stdout.write(
        `${report.scanned} object(s) scanned; ${verb} ${report.removed.length} and ${report.abandonedUploads} abandoned upload(s); ${report.failures.length} failure(s).\n`,
      );
      return failed ? EXIT_FAILURES : EXIT_OK;
    } finally {
      await storage.close();
    }
  },
};
