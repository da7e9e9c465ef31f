import {
  ConfigurationError,
  FennFlowError,
  InvalidNamespaceError,
  InvalidPathError,
} from '../core/errors/fennflow.errors';
import type { FennFlowLogger } from '../core/unit-of-work/fennflow-logger';
import type { CliCommand, CliContext, CliOutput } from './cli-command';
import { assertOptions, parseCommandLine } from './cli-options';
import { gcCommand } from './commands/gc.command';
import { lsCommand } from './commands/ls.command';
import { reconcileCommand } from './commands/reconcile.command';
import { recoverCommand } from './commands/recover.command';
import { statCommand } from './commands/stat.command';
import { EXIT_FAILURES, EXIT_OK, EXIT_USAGE } from './exit-codes';
import { helpText } from './help';
import type { ProgressStream } from './progress';
import { UsageError } from './usage-error';

export const COMMANDS: readonly CliCommand[] = [
  reconcileCommand,
  gcCommand,
  recoverCommand,
  lsCommand,
  statCommand,
];

export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: ProgressStream;
  readonly cwd: string;
}

/** Runs one command line; returns the exit code (never throws). */
export async function runCli(
  argv: readonly string[],
  io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
  },
): Promise<number> {
  try {
    const parsed = parseCommandLine(argv);
    const command = COMMANDS.find((c) => c.name === parsed.command);
    if (parsed.command === undefined && !parsed.options.help) {
      io.stderr.write(helpText(COMMANDS));
      return EXIT_USAGE;
    }
    if (parsed.command === undefined || parsed.command === 'help') {
      io.stdout.write(helpText(COMMANDS, parsed.positionals[0]));
      return EXIT_OK;
    }
    if (!command) {
      throw new UsageError(
        `Unknown command '${parsed.command}'; use one of ${COMMANDS.map((c) => c.name).join(', ')} (see fennflow --help).`,
      );
    }
    if (parsed.options.help) {
      io.stdout.write(helpText(COMMANDS, command.name));
      return EXIT_OK;
    }
    assertOptions(
      command.name,
      parsed.options,
      command.flags.map(([name]) => name),
    );
    const context: CliContext = {
      options: parsed.options,
      positionals: parsed.positionals,
      stdout: io.stdout,
      stderr: io.stderr,
      logger: stderrLogger(io.stderr),
      cwd: io.cwd,
    };
    return await command.run(context);
  } catch (error) {
    io.stderr.write(`fennflow: ${oneLine(error)}\n`);
    return isUsageError(error) ? EXIT_USAGE : EXIT_FAILURES;
  }
}

function isUsageError(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof ConfigurationError ||
    error instanceof InvalidNamespaceError ||
    error instanceof InvalidPathError
  );
}

function oneLine(error: unknown): string {
  const message =
    error instanceof Error
      ? error.message
      : `unexpected error: ${String(error)}`;
  const code = error instanceof FennFlowError ? ` [${error.code}]` : '';
  return `${message.split('\n')[0]}${code}`;
}

/** Library log lines would interleave with the progress display; only warnings get through. */
function stderrLogger(stderr: ProgressStream): FennFlowLogger {
  return {
    log: () => {},
    warn: (message) => stderr.write(`\nwarning: ${message}\n`),
    error: (message) => stderr.write(`\nerror: ${message}\n`),
  };
}
