import { parseArgs } from 'node:util';
import { UsageError } from './usage-error';

/** Every flag of every command; each command says which ones it accepts. */
export const OPTION_SPEC = {
  config: { type: 'string', short: 'c' },
  backend: { type: 'string' },
  connector: { type: 'string' },
  scope: { type: 'string' },
  namespace: { type: 'string', short: 'n', multiple: true },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  strategy: { type: 'string' },
  'batch-size': { type: 'string' },
  orphans: { type: 'boolean' },
  grace: { type: 'string' },
  'dry-run': { type: 'boolean' },
  limit: { type: 'string' },
  prefix: { type: 'string' },
} as const;

export type OptionName = keyof typeof OPTION_SPEC;

export interface CliOptions {
  readonly config?: string;
  readonly backend?: string;
  readonly connector?: string;
  readonly scope?: string;
  readonly namespace?: string[];
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly help?: boolean;
  readonly strategy?: string;
  readonly 'batch-size'?: string;
  readonly orphans?: boolean;
  readonly grace?: string;
  readonly 'dry-run'?: boolean;
  readonly limit?: string;
  readonly prefix?: string;
}

export interface ParsedCommandLine {
  readonly command: string | undefined;
  readonly positionals: readonly string[];
  readonly options: CliOptions;
}

export const COMMON_OPTIONS: readonly OptionName[] = [
  'config',
  'backend',
  'connector',
  'scope',
  'namespace',
  'json',
  'quiet',
  'help',
];

export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: OPTION_SPEC,
      allowPositionals: true,
      strict: true,
    });
    return {
      command: positionals[0],
      positionals: positionals.slice(1),
      options: values as CliOptions,
    };
  } catch (error) {
    throw new UsageError(
      `${error instanceof Error ? error.message : String(error)} (see fennflow --help).`,
    );
  }
}

/** Refuses flags that mean nothing to the command, so a typo never passes silently. */
export function assertOptions(
  command: string,
  options: CliOptions,
  accepted: readonly OptionName[],
): void {
  for (const name of Object.keys(options) as OptionName[]) {
    if (options[name] === undefined) continue;
    if (!COMMON_OPTIONS.includes(name) && !accepted.includes(name)) {
      throw new UsageError(
        `fennflow ${command} does not take --${name} (see fennflow ${command} --help).`,
      );
    }
  }
}
