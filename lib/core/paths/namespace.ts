import { InvalidNamespaceError } from '../errors/fennflow.errors';

const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const IP_ADDRESS_PATTERN = /^\d+\.\d+\.\d+\.\d+$/;

/** Namespaces follow S3 bucket-name rules on every connector, so an app can move between them. */
export function validateNamespace(namespace: unknown): string {
  if (typeof namespace !== 'string') {
    throw new InvalidNamespaceError(
      String(namespace),
      'a namespace must be a string',
    );
  }
  if (namespace.length < 3 || namespace.length > 63) {
    throw new InvalidNamespaceError(
      namespace,
      'it must be 3 to 63 characters long',
    );
  }
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new InvalidNamespaceError(
      namespace,
      'use lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit',
    );
  }
  if (namespace.includes('..')) {
    throw new InvalidNamespaceError(
      namespace,
      'two dots in a row are not allowed',
    );
  }
  if (IP_ADDRESS_PATTERN.test(namespace)) {
    throw new InvalidNamespaceError(
      namespace,
      'it must not look like an IP address',
    );
  }
  return namespace;
}
