import {
  FileNotFoundError,
  InvalidPathError,
  RecordAlreadyExistsError,
  TextContent,
} from 'fennflow-nestjs';
import type { FileRecord } from '../../lib/core/backend/file-record';
import type { ConnectorCall, FaultRule } from './faulty.connector';
import { InjectedFault } from './faulty.connector';
import type { Fixture, TestUnitOfWork } from './in-memory-fixture';
import { storedKeys } from './in-memory-fixture';
import { keyOf, NAMESPACES, PATHS, splitKey } from './saga-model';
import type { Op, Outcome } from './saga-model';

export const TMP_PREFIX = 'fennflow/tmp/';

/**
 * Decides which connector calls fail: the n-th call of each phase fails when n is in the set
 * of that phase. Calls made while the plan is `off` (the test's own checks) are not counted.
 */
export class FaultPlan {
  phase: 'off' | 'ops' | 'end' = 'off';
  readonly injected: { phase: 'ops' | 'end'; call: ConnectorCall }[] = [];
  private readonly counters = { ops: 0, end: 0 };

  constructor(
    private readonly opFaults: ReadonlySet<number>,
    private readonly endFaults: ReadonlySet<number>,
  ) {}

  readonly rule: FaultRule = (call) => {
    const phase = this.phase;
    if (phase === 'off') return false;
    const index = this.counters[phase]++;
    const fail = (phase === 'ops' ? this.opFaults : this.endFaults).has(index);
    if (fail) this.injected.push({ phase, call });
    return fail;
  };

  /** Keys whose removal was hit by a fault: cleanup leftovers the collector would take. */
  garbage(): Set<string> {
    const keys = new Set<string>();
    for (const { call } of this.injected) {
      if (call.method !== 'deleteObjects') continue;
      for (const key of call.keys) keys.add(keyOf(call.namespace, key));
    }
    return keys;
  }
}

export interface StoredObjectInfo {
  readonly text: string;
  readonly etag: string;
}

export interface Snapshot {
  /** Visible files, read through a fresh unit of work (list, then get). */
  readonly visible: Map<string, string>;
  /** Every object in storage, tmp included, read from the real connector. */
  readonly objects: Map<string, StoredObjectInfo>;
  /** Backend rows of every path the test can touch. */
  readonly records: Map<string, FileRecord>;
}

export async function readText(
  body: AsyncIterable<unknown> | Iterable<unknown>,
): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** Every object of both namespaces, straight from the real (unfaulted) connector. */
export async function readObjects(
  fixture: Fixture,
): Promise<Map<string, StoredObjectInfo>> {
  const objects = new Map<string, StoredObjectInfo>();
  for (const ns of NAMESPACES) {
    for (const key of await storedKeys(fixture.storage, ns)) {
      const object = await fixture.storage.getObject(ns, key);
      objects.set(keyOf(ns, key), {
        text: await readText(object.body),
        etag: object.etag,
      });
    }
  }
  return objects;
}

/** Visible files as one unit of work sees them: list every namespace, then get each file. */
export async function readVisible(
  uow: TestUnitOfWork,
): Promise<Map<string, string>> {
  const visible = new Map<string, string>();
  for (const ns of NAMESPACES) {
    const repo = uow[ns];
    const listed = await repo.list({ limit: 1000 });
    if (listed.cursor !== null) throw new Error('list() paged unexpectedly');
    if (listed.paths.length === 0) continue;
    const response = await repo.get(...listed.paths);
    const read = response.items.map((item) => item.path);
    if (JSON.stringify(read) !== JSON.stringify(listed.paths)) {
      throw new Error(
        `${ns}: list() shows [${listed.paths.join(', ')}] but get() returned [${read.join(', ')}]`,
      );
    }
    for (const item of response.items) {
      visible.set(keyOf(ns, item.path), await item.content.text());
    }
  }
  return visible;
}

export async function snapshot(fixture: Fixture): Promise<Snapshot> {
  const uow = await fixture.factory.begin();
  let visible: Map<string, string>;
  try {
    visible = await readVisible(uow);
  } finally {
    await uow.close();
  }
  const universe = NAMESPACES.flatMap((ns) =>
    PATHS.map((path) => ({ namespace: ns, path })),
  );
  const records = await fixture.backend.getRecords(universe);
  return { visible, objects: await readObjects(fixture), records };
}

/**
 * Storage and backend agree: every visible file has its object with the same bytes, size and
 * etag; no row is pending, locked or left in compensation_failed.
 */
export function assertConsistent(snap: Snapshot): void {
  for (const [key, text] of snap.visible) {
    const { ns, path } = splitKey(key);
    const object = snap.objects.get(key);
    if (!object) throw new Error(`visible ${ns}:${path} has no object`);
    if (object.text !== text) {
      throw new Error(
        `visible ${ns}:${path} reads ${JSON.stringify(text)} but storage holds ${JSON.stringify(object.text)}`,
      );
    }
    const record = snap.records.get(key);
    if (!record) throw new Error(`visible ${ns}:${path} has no record`);
    if (record.size !== Buffer.byteLength(text)) {
      throw new Error(
        `record ${ns}:${path} has size ${String(record.size)}, object has ${Buffer.byteLength(text)}`,
      );
    }
    if (record.etag !== object.etag) {
      throw new Error(
        `record ${ns}:${path} has etag ${String(record.etag)}, object has ${object.etag}`,
      );
    }
  }
  for (const [key, record] of snap.records) {
    const { ns, path } = splitKey(key);
    if (
      record.status === 'pending' ||
      record.status === 'compensation_failed' ||
      record.lockedBy !== null
    ) {
      throw new Error(
        `record ${ns}:${path} left ${record.status}, locked by ${String(record.lockedBy)}`,
      );
    }
  }
}

/** Objects in storage equal `expected` exactly, except leftovers of faulted cleanup calls. */
export function assertObjects(
  actual: ReadonlyMap<string, StoredObjectInfo>,
  expected: ReadonlyMap<string, string>,
  garbage: ReadonlySet<string>,
  what: string,
): void {
  const problems: string[] = [];
  for (const [key, text] of expected) {
    const object = actual.get(key);
    if (!object) problems.push(`missing ${fmt(key)}`);
    else if (object.text !== text)
      problems.push(
        `${fmt(key)} holds ${JSON.stringify(object.text)}, expected ${JSON.stringify(text)}`,
      );
  }
  for (const key of actual.keys()) {
    if (!expected.has(key) && !garbage.has(key))
      problems.push(`unexpected object ${fmt(key)}`);
  }
  if (problems.length > 0)
    throw new Error(`${what}: storage differs: ${problems.join('; ')}`);
}

/** Nothing lost: each file visible before the session still has its bytes at its key or in a backup. */
export function assertNothingLost(
  before: ReadonlyMap<string, string>,
  objects: ReadonlyMap<string, StoredObjectInfo>,
  when: string,
): void {
  for (const [key, text] of before) {
    const { ns, path } = splitKey(key);
    const kept = [...objects].some(([k, o]) => {
      const at = splitKey(k);
      return (
        at.ns === ns &&
        (at.path === path || at.path.startsWith(TMP_PREFIX)) &&
        o.text === text
      );
    });
    if (!kept)
      throw new Error(
        `${when}: the bytes of ${ns}:${path} (${JSON.stringify(text)}) are gone from storage`,
      );
  }
}

export function sameState(
  a: ReadonlyMap<string, string>,
  b: ReadonlyMap<string, string>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export function fmt(key: string): string {
  const { ns, path } = splitKey(key);
  return `${ns}:${path}`;
}

export function describeState(state: ReadonlyMap<string, string>): string {
  return `{${[...state]
    .sort()
    .map(([k, v]) => `${fmt(k)}=${JSON.stringify(v)}`)
    .join(', ')}}`;
}

/** Runs one model operation through the unit of work's repositories. */
export async function runOp(uow: TestUnitOfWork, op: Op): Promise<void> {
  const repo = uow[op.ns];
  switch (op.kind) {
    case 'create':
      await repo.create(
        ...op.files.map((f) => TextContent.from(f.body, { filename: f.path })),
      );
      return;
    case 'put':
      await repo.put(
        ...op.files.map((f) => TextContent.from(f.body, { filename: f.path })),
      );
      return;
    case 'delete':
      await repo.delete(...op.paths);
      return;
    case 'deletePrefix':
      await repo.deletePrefix(op.prefix);
      return;
    case 'copy':
    case 'move':
      await repo[op.kind](op.from, op.to, {
        ...(op.toNamespace === undefined
          ? {}
          : { toNamespace: op.toNamespace }),
        ...(op.overwrite === undefined ? {} : { overwrite: op.overwrite }),
      });
      return;
  }
}

/** The model outcome an error stands for, or null when it is none of the expected ones. */
export function outcomeOf(error: unknown): Outcome | null {
  if (error instanceof RecordAlreadyExistsError)
    return 'RecordAlreadyExistsError';
  if (error instanceof FileNotFoundError) return 'FileNotFoundError';
  if (error instanceof InvalidPathError) return 'InvalidPathError';
  return null;
}

/** True when an injected fault is the error or somewhere in its cause chain. */
export function isInjected(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 10; depth++) {
    if (e instanceof InjectedFault) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));
