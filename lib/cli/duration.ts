import { UsageError } from './usage-error';

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `90s`, `30m`, `24h`, `7d`, `500ms`; a bare number is milliseconds. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `${flag} expects a duration such as 90s, 30m, 24h or 7d, got '${text}'.`,
    );
  }
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']);
}

export function parsePositiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag} expects a positive integer, got '${text}'.`);
  }
  return value;
}
