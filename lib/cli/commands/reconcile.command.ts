import { ReconcileConfig } from '../../core/reconcile/reconcile.config';
import type { ReconcileStrategy } from '../../core/reconcile/reconcile.config';
import { Reconciler } from '../../core/reconcile/reconciler';
import type { CliCommand } from '../cli-command';
import { parsePositiveInteger } from '../duration';
import { EXIT_OK } from '../exit-codes';
import { openStorage } from '../open-storage';
import { Progress } from '../progress';
import { printTable } from '../print-table';

export const reconcileCommand: CliCommand = {
  name: 'reconcile',
  summary: 'Rebuild metadata from storage for the configured namespaces.',
  usage: '',
  flags: [
    [
      'strategy',
      'fill-if-empty (default) | insert-missing | replace (also marks rows of vanished objects deleted)',
    ],
    [
      'batch-size',
      'Objects per listing page and per backend transaction (default 1000)',
    ],
  ],
  async run(context) {
    const { options } = context;
    // Validates the flags before anything is opened.
    const config = new ReconcileConfig({
      strategy: options.strategy as ReconcileStrategy | undefined,
      batchSize:
        options['batch-size'] === undefined
          ? undefined
          : parsePositiveInteger('--batch-size', options['batch-size']),
    });
    const storage = await openStorage(context, { needNamespaces: true });
    try {
      const progress = new Progress('reconcile', {
        stream: context.stderr,
        enabled: !options.quiet,
        unit: 'objects',
      });
      const report = await new Reconciler({
        backend: storage.backend,
        connector: storage.connector,
        namespaces: storage.namespaces,
        logger: context.logger,
      }).reconcile({
        strategy: config.strategy,
        batchSize: config.batchSize,
        onProgress: (p) => {
          progress.updateStep(
            p.namespace,
            p.scanned,
            `${p.namespace}: +${p.inserted} ~${p.updated} -${p.removed}`,
            `reconcile ${p.namespace}`,
          );
        },
      });
      progress.finish();
      if (options.json) {
        context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else if (report.skipped === 'not-empty') {
        context.stdout.write(
          `Nothing done: the scope '${storage.backend.scope}' already holds records and the strategy is fill-if-empty; use --strategy insert-missing or replace.\n`,
        );
      } else {
        printTable(
          context.stdout,
          [
            'namespace',
            'scanned',
            'inserted',
            'updated',
            'removed',
            'locked',
            'not importable',
          ],
          report.namespaces.map((n) => [
            n.namespace,
            n.scanned,
            n.inserted,
            n.updated,
            n.removed,
            n.skippedLocked,
            n.skippedInvalid,
          ]),
        );
        context.stdout.write(
          `Reconciled (${report.strategy}) in ${report.durationMs} ms.\n`,
        );
      }
      return EXIT_OK;
    } finally {
      await storage.close();
    }
  },
};
