import { RESERVED_PREFIX } from '../paths/storage-path';

const SESSION_FOLDER = `${RESERVED_PREFIX}session_id_`;

/** The session id of a backup key `fennflow/tmp/session_id_<S>/…`, or `null` for anything else. */
export function sessionIdOfBackup(key: string): string | null {
  if (!key.startsWith(SESSION_FOLDER)) return null;
  const end = key.indexOf('/', SESSION_FOLDER.length);
  if (end <= SESSION_FOLDER.length || end === key.length - 1) return null;
  return key.slice(SESSION_FOLDER.length, end);
}
