import type { CliCommand } from './cli-command';

const COMMON = `Configuration (one of):
  -c, --config <file>     Config file; default ./fennflow.config.js, .cjs or .ts (.ts needs ts-node).
                          It exports { backend, connector?, namespaces } (or unitOfWork instead of
                          namespaces), e.g.
                            const { SqliteBackendConfig, FileSystemConnectorConfig } = require('fennflow-nestjs');
                            module.exports = {
                              backend: new SqliteBackendConfig({ filename: './fennflow.db' }),
                              connector: new FileSystemConnectorConfig({ root: './data' }),
                              namespaces: ['avatars'],
                            };
  --backend <spec>        sqlite:<file> | postgres://<url> | memory (overrides the file's backend)
  --connector <spec>      filesystem:<root> | memory (overrides the file's connector)
  --scope <name>          Scope for --backend (default 'default')
  -n, --namespace <name>  Namespace to work on; repeatable (overrides the file's namespaces)

Output:
  --json                  Machine-readable result on stdout
  -q, --quiet             No progress on stderr (a bar on a terminal, log lines otherwise)
  -h, --help              This help

Exit codes:
  0  success
  1  the operation failed or left failures (a file not found, a removal or recovery that failed)
  2  usage or configuration error; nothing was done
`;

export function helpText(
  commands: readonly CliCommand[],
  name?: string,
): string {
  const command = commands.find((c) => c.name === name);
  if (command) {
    const flags = command.flags
      .map(([flag, text]) => `  --${flag.padEnd(22)}${text}`)
      .join('\n');
    return (
      `Usage: fennflow ${command.name}${command.usage ? ` ${command.usage}` : ''} [options]\n\n` +
      `${command.summary}\n\n` +
      (flags ? `Options:\n${flags}\n\n` : '') +
      COMMON
    );
  }
  const list = commands
    .map((c) => `  ${`${c.name} ${c.usage}`.padEnd(28)}${c.summary}`)
    .join('\n');
  return (
    'Usage: fennflow <command> [options]\n\n' +
    `Commands:\n${list}\n\n` +
    'Run fennflow <command> --help for the options of a command.\n\n' +
    COMMON
  );
}
