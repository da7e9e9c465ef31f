import type { FennFlowLogger } from '../core/unit-of-work/fennflow-logger';
import type { CliOptions, OptionName } from './cli-options';
import type { ProgressStream } from './progress';

export interface CliOutput {
  write(text: string): unknown;
}

export interface CliContext {
  readonly options: CliOptions;
  readonly positionals: readonly string[];
  readonly stdout: CliOutput;
  readonly stderr: ProgressStream;
  readonly logger: FennFlowLogger;
  readonly cwd: string;
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  /** Arguments after the command name, e.g. `<namespace> <path>...`. */
  readonly usage: string;
  /** Flags besides the common ones, with their help lines. */
  readonly flags: ReadonlyArray<readonly [OptionName, string]>;
  /** Returns the exit code. */
  run(context: CliContext): Promise<number>;
}
