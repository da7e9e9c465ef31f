/**
 * Drivers hand back columns in different shapes (pg: `Date`, bigint as string, parsed JSON;
 * SQLite: numbers and text), and a pool a user configured may have its own type parsers.
 * These read any of those shapes.
 */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return new Date(value.getTime());
  if (typeof value === 'number' || typeof value === 'bigint')
    return new Date(Number(value));
  if (typeof value === 'string') return new Date(value);
  throw new TypeError(`Expected a timestamp, got ${typeof value}.`);
}

export function toNumberOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return Number(value);
}

export function toStringOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}

export function toJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}
