import { FennFlowError, StorageError } from '../../core/errors/fennflow.errors';

interface SdkErrorShape {
  readonly name?: string;
  readonly Code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

export function sdkErrorName(error: unknown): string | undefined {
  const shape = error as SdkErrorShape | null;
  return shape?.Code ?? shape?.name;
}

export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkErrorShape | null)?.$metadata?.httpStatusCode;
}

/** The key (not the bucket) is missing. */
export function isNoSuchKey(error: unknown): boolean {
  const name = sdkErrorName(error);
  if (name === 'NoSuchBucket') return false;
  return (
    name === 'NoSuchKey' || name === 'NotFound' || httpStatusOf(error) === 404
  );
}

export function isPreconditionFailed(error: unknown): boolean {
  return (
    sdkErrorName(error) === 'PreconditionFailed' || httpStatusOf(error) === 412
  );
}

/** The server does not implement the operation (HTTP 501), as s3rver answers ListMultipartUploads. */
export function isNotImplemented(error: unknown): boolean {
  return (
    sdkErrorName(error) === 'NotImplemented' || httpStatusOf(error) === 501
  );
}

/** An SDK failure as a StorageError, the SDK error kept as `cause`. */
export function toS3StorageError(
  error: unknown,
  action: string,
  bucket: string,
  key?: string,
): FennFlowError {
  if (error instanceof FennFlowError) return error;
  const name = sdkErrorName(error) ?? 'Error';
  const status = httpStatusOf(error);
  const where =
    key === undefined ? `bucket '${bucket}'` : `'${key}' in bucket '${bucket}'`;
  const reason = (error as SdkErrorShape | null)?.message ?? String(error);
  const hint =
    name === 'AccessDenied' || status === 403
      ? ' Access was denied: check the credentials and the bucket policy.'
      : name === 'NoSuchBucket'
        ? ' The bucket does not exist.'
        : '';
  return new StorageError(
    `S3 ${action} ${where} failed (${name}${status ? `, HTTP ${status}` : ''}): ${reason}.${hint}`,
    { cause: error },
  );
}
