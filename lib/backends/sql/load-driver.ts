import { ConfigurationError } from '../../core/errors/fennflow.errors';

/**
 * Loads an optional peer dependency when a backend is created, so users of other backends never
 * need it installed, and says what to install when it is missing.
 */
export function loadDriver<T>(
  moduleName: string,
  installHint: string,
  backendKind: string,
): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(moduleName) as T;
  } catch (error) {
    if (isMissingModule(error, moduleName)) {
      throw new ConfigurationError(
        `The ${backendKind} backend needs the '${moduleName}' package, which is not installed: run \`npm i ${installHint}\`.`,
        { cause: error },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigurationError(
      `The ${backendKind} backend could not load '${moduleName}': ${message}`,
      { cause: error },
    );
  }
}

function isMissingModule(error: unknown, moduleName: string): boolean {
  return (
    error instanceof Error &&
    (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
    error.message.includes(`'${moduleName}'`)
  );
}
