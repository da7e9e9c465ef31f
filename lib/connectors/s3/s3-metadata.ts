/**
 * S3 sends user metadata as `x-amz-meta-*` headers: names come back lowercased and values
 * must be printable ASCII. Entries that would not survive that are carried together, as
 * base64 JSON, in one header, so every string map round-trips exactly while plain entries
 * stay readable to other S3 tools.
 */
export const ENCODED_METADATA_KEY = 'fennflow-encoded';

const PLAIN_KEY = /^[a-z0-9][a-z0-9_-]*$/;
const PLAIN_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;

export function encodeMetadata(
  metadata: Readonly<Record<string, string>>,
): Record<string, string> {
  const plain: Record<string, string> = {};
  const encoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (
      PLAIN_KEY.test(key) &&
      key !== ENCODED_METADATA_KEY &&
      PLAIN_VALUE.test(value)
    ) {
      plain[key] = value;
    } else {
      encoded[key] = value;
    }
  }
  if (Object.keys(encoded).length > 0) {
    plain[ENCODED_METADATA_KEY] = Buffer.from(
      JSON.stringify(encoded),
      'utf8',
    ).toString('base64');
  }
  return plain;
}

export function decodeMetadata(
  stored: Record<string, string> | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(stored ?? {})) {
    if (key.toLowerCase() !== ENCODED_METADATA_KEY) {
      result[key] = value;
      continue;
    }
    try {
      const decoded: unknown = JSON.parse(
        Buffer.from(value, 'base64').toString('utf8'),
      );
      if (typeof decoded === 'object' && decoded !== null) {
        for (const [k, v] of Object.entries(decoded)) {
          if (typeof v === 'string') result[k] = v;
        }
      }
    } catch {
      result[key] = value;
    }
  }
  return result;
}
