/**
 * Shared by the crash test (parent, run by ts-jest) and its worker (a child process, transpiled
 * to plain JS). Only type imports from the library: the worker loads the compiled library at
 * run time, the parent the TypeScript sources.
 */
import type * as FennFlow from '../../lib';

export type FennFlowLibrary = typeof FennFlow;

export const NAMESPACES = ['crash-a', 'crash-b'] as const;
export type CrashNamespace = (typeof NAMESPACES)[number];

/** A small set of overlapping paths per namespace; no path is a folder of another. */
export const PATHS = [
  'a.txt',
  'b.txt',
  'dir/c.bin',
  'dir/d.bin',
  'dir/sub/e.bin',
  'f.dat',
] as const;

/** Every key the workload can touch: `<namespace>/<path>`. */
export const UNIVERSE: readonly string[] = NAMESPACES.flatMap((ns) =>
  PATHS.map((path) => `${ns}/${path}`),
);

/** The bytes of a file are a function of its version, so a log line names them in a few bytes. */
export interface FileVersion {
  readonly tag: string;
  readonly size: number;
}

/** Committed state: key `<namespace>/<path>` → version. Keys absent are files that do not exist. */
export type Model = Readonly<Record<string, FileVersion>>;

export function bytesOf(version: FileVersion): Buffer {
  return Buffer.alloc(version.size, `${version.tag};`);
}

export function splitKey(key: string): {
  namespace: CrashNamespace;
  path: string;
} {
  const slash = key.indexOf('/');
  return {
    namespace: key.slice(0, slash) as CrashNamespace,
    path: key.slice(slash + 1),
  };
}

/**
 * Lines of the worker's append-only log, each written (and fsynced) in one call:
 * `intent` before a commit is called, with the state the commit makes; `committed` after it
 * resolved. An intent without its `committed` line is a commit the kill may or may not have
 * let through.
 */
export type LogLine =
  | { readonly t: 'intent'; readonly seq: number; readonly after: Model }
  | { readonly t: 'committed'; readonly seq: number };

/** Sent by the parent on the worker's stdin, one JSON line, when the worker may start. */
export interface GoMessage {
  readonly model: Model;
  readonly seed: number;
  readonly tagPrefix: string;
}

export interface LoggedOutcome {
  /** The states the storage may be in: the last committed one, then the one being committed. */
  readonly candidates: readonly Model[];
  readonly commits: number;
  /** An intent was logged and its commit did not report back. */
  readonly ambiguous: boolean;
}

/** Replays a worker's log over the state it started from. A torn last line is ignored. */
export function replayLog(start: Model, text: string): LoggedOutcome {
  let current = start;
  let pending: { seq: number; after: Model } | null = null;
  let commits = 0;
  const lines = text.split('\n').filter((line) => line !== '');
  lines.forEach((raw, index) => {
    let line: LogLine;
    try {
      line = JSON.parse(raw) as LogLine;
    } catch (error) {
      if (index === lines.length - 1) return;
      throw new Error(`Crash log line ${index + 1} is not JSON: ${raw}`, {
        cause: error,
      });
    }
    if (line.t === 'intent') {
      if (pending) {
        throw new Error(
          `Crash log: intent ${line.seq} follows intent ${pending.seq} that never committed.`,
        );
      }
      pending = { seq: line.seq, after: line.after };
    } else {
      if (!pending || pending.seq !== line.seq) {
        throw new Error(`Crash log: commit ${line.seq} without its intent.`);
      }
      current = pending.after;
      pending = null;
      commits++;
    }
  });
  const open = pending as { seq: number; after: Model } | null;
  return {
    candidates: open ? [current, open.after] : [current],
    commits,
    ambiguous: open !== null,
  };
}

type FileRepository = FennFlow.Repository<
  [
    typeof FennFlow.Create,
    typeof FennFlow.Put,
    typeof FennFlow.Get,
    typeof FennFlow.List,
    typeof FennFlow.Delete,
    typeof FennFlow.Move,
    typeof FennFlow.Copy,
  ]
>;

export interface CrashUnitOfWork extends FennFlow.UnitOfWork {
  readonly 'crash-a': FileRepository;
  readonly 'crash-b': FileRepository;
}

/** The unit of work both sides use: every capability, one repository per namespace. */
export function crashUnitOfWork(
  lib: FennFlowLibrary,
): FennFlow.UnitOfWorkClass<CrashUnitOfWork> {
  const FileRepository = lib.defineRepository(
    lib.Create,
    lib.Put,
    lib.Get,
    lib.List,
    lib.Delete,
    lib.Move,
    lib.Copy,
  );
  return class CrashUnitOfWork extends lib.UnitOfWork {
    readonly 'crash-a' = this.repository(FileRepository, {
      namespace: 'crash-a',
    });
    readonly 'crash-b' = this.repository(FileRepository, {
      namespace: 'crash-b',
    });
  };
}

export const silentLogger: FennFlow.FennFlowLogger = {
  log() {},
  warn() {},
  error() {},
};

/** Small deterministic PRNG (mulberry32), so a worker's choices follow from its seed. */
export function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
