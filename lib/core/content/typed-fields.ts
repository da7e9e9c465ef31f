import { ContentTypeError } from '../errors/fennflow.errors';

/** Width/height: a non-negative integer, or undefined. */
export function checkDimension(
  value: unknown,
  name: string,
  kind: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ContentTypeError(
      `${kind}: ${name} must be a non-negative integer, got ${String(value)}.`,
    );
  }
  return value;
}

/** Duration in seconds: a finite non-negative number, or undefined. */
export function checkDuration(
  value: unknown,
  kind: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ContentTypeError(
      `${kind}: duration must be a non-negative number of seconds, got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * Takes a typed numeric field out of stored metadata. A value that does not parse stays in
 * `rest` as user metadata rather than failing the read of an object written elsewhere.
 */
export function takeStoredNumber(
  rest: Record<string, string>,
  key: string,
  integer: boolean,
): number | undefined {
  const raw = rest[key];
  if (raw === undefined || !/^\d+(\.\d+)?$/.test(raw.trim())) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isSafeInteger(value)))
    return undefined;
  delete rest[key];
  return value;
}

/** Adds the defined numeric fields to a metadata map as strings. */
export function withNumbers(
  metadata: Record<string, string>,
  fields: Readonly<Record<string, number | undefined>>,
): Record<string, string> {
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) metadata[key] = String(value);
  }
  return metadata;
}
