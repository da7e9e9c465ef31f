import { InvalidPathError } from '../errors/fennflow.errors';
import { isPathTemplate, PathTemplate } from './path-template';

export const MAX_KEY_BYTES = 1024;
/** Backups live here; users can never read, write or list below it. */
export const RESERVED_PREFIX = 'fennflow/tmp/';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Collapses runs of `/` and strips leading and trailing `/`. */
export function normalizePath(path: string): string {
  return path.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
}

export function joinPath(...parts: string[]): string {
  return normalizePath(parts.filter((p) => p.length > 0).join('/'));
}

/** `a/b` → `a/b/`; root → `''`. */
export function asFolder(path: string): string {
  return path === '' ? '' : `${path}/`;
}

export function renderPathArgument(
  value: string | PathTemplate,
  method: string,
): string {
  if (typeof value === 'string') return value;
  if (isPathTemplate(value)) {
    const rendered = value.render();
    if (typeof rendered !== 'string') {
      throw new TypeError(
        `${method}: render() must return a string, got ${typeof rendered}.`,
      );
    }
    return rendered;
  }
  const received = value === null ? 'null' : typeof value;
  throw new TypeError(
    `${method} expects a string or a path template (an object with render(): string), got ${received}.`,
  );
}

/** Checks the segments of a (possibly empty) folder or file path; returns it normalised. */
export function validatePath(
  raw: string,
  { allowEmpty }: { allowEmpty: boolean },
): string {
  if (CONTROL_CHARACTERS.test(raw)) {
    throw new InvalidPathError(
      raw,
      'NUL and control characters are not allowed',
    );
  }
  const path = normalizePath(raw);
  if (path === '' && !allowEmpty) {
    throw new InvalidPathError(raw, 'the path is empty');
  }
  for (const segment of path.split('/')) {
    if (segment === '.' || segment === '..') {
      throw new InvalidPathError(raw, `'${segment}' segments are not allowed`);
    }
  }
  if (Buffer.byteLength(path, 'utf8') > MAX_KEY_BYTES) {
    throw new InvalidPathError(
      raw,
      `a storage key may hold at most ${MAX_KEY_BYTES} bytes`,
    );
  }
  if (isReservedPath(path)) {
    throw new InvalidPathError(
      raw,
      `'${RESERVED_PREFIX}' is reserved for FennFlow's own backups`,
    );
  }
  return path;
}

export function isReservedPath(path: string): boolean {
  return path === 'fennflow/tmp' || path.startsWith(RESERVED_PREFIX);
}

/** Resolves a file path given relative to a repository's folder. */
export function resolveFilePath(cwd: string, relative: string): string {
  if (typeof relative !== 'string') {
    throw new TypeError(
      `A file path must be a string, got ${typeof relative}.`,
    );
  }
  if (relative === '' || normalizePath(relative) === '') {
    throw new InvalidPathError(relative, 'the path is empty');
  }
  return validatePath(joinPath(cwd, relative), { allowEmpty: false });
}
