import { recoverSession } from '../../core/unit-of-work/recover-session';
import type { RecoveryResult } from '../../core/unit-of-work/recover-session';
import type { CliCommand } from '../cli-command';
import { parsePositiveInteger } from '../duration';
import { EXIT_FAILURES, EXIT_OK } from '../exit-codes';
import { openStorage } from '../open-storage';
import { Progress } from '../progress';

const PAGE = 100;

export const recoverCommand: CliCommand = {
  name: 'recover',
  summary:
    'Recover units of work whose lease expired (crashed processes): roll back, or finish a commit.',
  usage: '',
  flags: [['limit', 'Recover at most this many sessions (default: all)']],
  async run(context) {
    const { options } = context;
    const limit =
      options.limit === undefined
        ? Number.POSITIVE_INFINITY
        : parsePositiveInteger('--limit', options.limit);
    const storage = await openStorage(context, { needNamespaces: false });
    try {
      const results: Array<{
        sessionId: string;
        result: RecoveryResult | 'error';
        error?: string;
      }> = [];
      const seen = new Set<string>();
      let progress: Progress | null = null;
      for (;;) {
        const expired = (
          await storage.backend.findExpiredSessions(new Date(), PAGE)
        ).filter((s) => !seen.has(s.id));
        if (expired.length === 0 || results.length >= limit) break;
        progress ??= new Progress('recover', {
          stream: context.stderr,
          enabled: !options.quiet,
          unit: 'sessions',
          total:
            expired.length < PAGE ? Math.min(expired.length, limit) : undefined,
        });
        for (const session of expired) {
          if (results.length >= limit) break;
          seen.add(session.id);
          try {
            const result = await recoverSession(
              storage.backend,
              storage.connector,
              session.id,
              { logger: context.logger, leaseMs: 30_000 },
            );
            results.push({ sessionId: session.id, result });
          } catch (error) {
            results.push({
              sessionId: session.id,
              result: 'error',
              error: error instanceof Error ? error.message : String(error),
            });
          }
          progress.update(results.length);
        }
      }
      progress?.finish();
      const failed = results.some(
        (r) => r.result === 'error' || r.result === 'compensation-failed',
      );
      if (options.json) {
        context.stdout.write(
          `${JSON.stringify({ sessions: results }, null, 2)}\n`,
        );
      } else {
        for (const r of results) {
          context.stdout.write(
            `${r.sessionId}: ${r.result}${r.error ? ` (${r.error})` : ''}\n`,
          );
        }
        context.stdout.write(
          results.length === 0
            ? 'No expired unit of work to recover.\n'
            : `${results.length} session(s) processed.\n`,
        );
      }
      return failed ? EXIT_FAILURES : EXIT_OK;
    } finally {
      await storage.close();
    }
  },
};
