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
    const message = (error as { message?: unknown } | null)?.message ?? error;
    throw new ConfigurationError(
      `The ${backendKind} backend could not load '${moduleName}': ${String(message)}`,
      { cause: error },
    );
  }
}

/** Duck-typed: an error from another realm (a test sandbox) is not `instanceof Error` here. */
function isMissingModule(error: unknown, moduleName: string): boolean {
  const { code, message } = (error ?? {}) as {
    code?: unknown;
    message?: unknown;
  };
  return (
    code === 'MODULE_NOT_FOUND' &&
    typeof message === 'string' &&
    message.includes(`'${moduleName}'`)
  );
}
