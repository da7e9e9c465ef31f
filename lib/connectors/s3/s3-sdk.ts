import { ConfigurationError } from '../../core/errors/fennflow.errors';

export interface S3Sdk {
  readonly s3: typeof import('@aws-sdk/client-s3');
  readonly storage: typeof import('@aws-sdk/lib-storage');
  readonly presigner: typeof import('@aws-sdk/s3-request-presigner');
}

const PACKAGES = [
  '@aws-sdk/client-s3',
  '@aws-sdk/lib-storage',
  '@aws-sdk/s3-request-presigner',
] as const;

/**
 * Loads the AWS SDK packages, optional peer dependencies of FennFlow, only when an S3
 * connector is created; names every missing one in a single error.
 */
export function loadS3Sdk(
  load: (name: string) => unknown = defaultLoad,
): S3Sdk {
  const loaded: unknown[] = [];
  const missing: string[] = [];
  let firstCause: unknown;
  for (const name of PACKAGES) {
    try {
      loaded.push(load(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') {
        throw new ConfigurationError(
          `The S3 connector could not load '${name}': ${(error as Error).message}`,
          { cause: error },
        );
      }
      missing.push(name);
      firstCause ??= error;
    }
  }
  if (missing.length > 0) {
    throw new ConfigurationError(
      `The S3 connector needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed. Run: npm i ${missing.join(' ')}`,
      { cause: firstCause },
    );
  }
  const [s3, storage, presigner] = loaded;
  return { s3, storage, presigner } as S3Sdk;
}

function defaultLoad(name: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name);
}
