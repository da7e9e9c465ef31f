/**
 * A simple model of what a unit of work's operations do to the visible files, used by the
 * property-based saga test. A state maps `namespace\0path` to the file's text. Because an
 * operation hit by an injected storage fault may or may not have taken effect, the test keeps a
 * set of possible states ("worlds") and narrows it with what it observes.
 */

export const NAMESPACES = ['docs', 'media'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export const PATHS = ['a.txt', 'b.txt', 'dir/a.txt', 'dir/b.txt'] as const;
export const PREFIXES = ['', 'dir/', 'a', 'dir/a', 'b.txt'] as const;

export interface FileSpec {
  readonly path: string;
  readonly body: string;
}

export type Op =
  | {
      readonly kind: 'create' | 'put';
      readonly ns: Namespace;
      readonly files: readonly FileSpec[];
    }
  | {
      readonly kind: 'delete';
      readonly ns: Namespace;
      readonly paths: readonly string[];
    }
  | { readonly kind: 'deletePrefix'; readonly ns: Namespace; prefix: string }
  | {
      readonly kind: 'copy' | 'move';
      readonly ns: Namespace;
      readonly from: string;
      readonly to: string;
      readonly toNamespace?: Namespace;
      readonly overwrite?: boolean;
    };

/** The error classes a model operation can end with (by class name), or `ok`. */
export type Outcome =
  'ok' | 'RecordAlreadyExistsError' | 'FileNotFoundError' | 'InvalidPathError';

export type State = ReadonlyMap<string, string>;

export const keyOf = (ns: string, path: string): string => `${ns}\u0000${path}`;

export function splitKey(key: string): { ns: string; path: string } {
  const [ns, path] = key.split('\u0000');
  return { ns, path };
}

/** What the operation does in one world: its outcome and, when it succeeds, the next state. */
export function applyOp(
  state: State,
  op: Op,
): { outcome: Outcome; next: State } {
  const next = new Map(state);
  switch (op.kind) {
    case 'create':
      if (op.files.some((f) => state.has(keyOf(op.ns, f.path)))) {
        return { outcome: 'RecordAlreadyExistsError', next: state };
      }
      for (const f of op.files) next.set(keyOf(op.ns, f.path), f.body);
      return { outcome: 'ok', next };
    case 'put':
      for (const f of op.files) next.set(keyOf(op.ns, f.path), f.body);
      return { outcome: 'ok', next };
    case 'delete':
      for (const p of op.paths) next.delete(keyOf(op.ns, p));
      return { outcome: 'ok', next };
    case 'deletePrefix':
      for (const key of state.keys()) {
        const { ns, path } = splitKey(key);
        if (ns === op.ns && path.startsWith(op.prefix)) next.delete(key);
      }
      return { outcome: 'ok', next };
    case 'copy':
    case 'move': {
      const source = keyOf(op.ns, op.from);
      const target = keyOf(op.toNamespace ?? op.ns, op.to);
      if (source === target)
        return { outcome: 'InvalidPathError', next: state };
      if (op.overwrite === false && state.has(target)) {
        return { outcome: 'RecordAlreadyExistsError', next: state };
      }
      const body = state.get(source);
      if (body === undefined) {
        return { outcome: 'FileNotFoundError', next: state };
      }
      next.set(target, body);
      if (op.kind === 'move') next.delete(source);
      return { outcome: 'ok', next };
    }
  }
}

/**
 * The states an operation hit by a storage fault may leave: each file it writes either took
 * effect or did not (a copy or move as a whole), in every world where it passed its checks.
 */
export function applyFaulted(state: State, op: Op): State[] {
  const { outcome, next } = applyOp(state, op);
  if (outcome !== 'ok') return [];
  if (op.kind !== 'create' && op.kind !== 'put') return [state, next];
  const variants: State[] = [];
  for (let mask = 0; mask < 1 << op.files.length; mask++) {
    const variant = new Map(state);
    op.files.forEach((f, i) => {
      if (mask & (1 << i)) variant.set(keyOf(op.ns, f.path), f.body);
    });
    variants.push(variant);
  }
  return variants;
}

export function serialize(state: State): string {
  return JSON.stringify([...state.entries()].sort());
}

export function dedupe(states: readonly State[]): State[] {
  const seen = new Map<string, State>();
  for (const s of states) seen.set(serialize(s), s);
  return [...seen.values()];
}

export function describeOp(op: Op): string {
  switch (op.kind) {
    case 'create':
    case 'put':
      return `${op.ns}.${op.kind}(${op.files.map((f) => `${f.path}=${JSON.stringify(f.body)}`).join(', ')})`;
    case 'delete':
      return `${op.ns}.delete(${op.paths.join(', ')})`;
    case 'deletePrefix':
      return `${op.ns}.deletePrefix(${JSON.stringify(op.prefix)})`;
    case 'copy':
    case 'move':
      return `${op.ns}.${op.kind}(${op.from} → ${op.toNamespace ?? op.ns}:${op.to}${op.overwrite === false ? ', overwrite: false' : ''})`;
  }
}
