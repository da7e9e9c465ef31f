import fc from 'fast-check';
import { CommitFailedError, CompensationFailedError } from 'fennflow-nestjs';
import type { FixtureSource } from './connector-fixtures';
import type { Fixture, TestUnitOfWork } from './in-memory-fixture';
import {
  assertConsistent,
  assertNothingLost,
  assertObjects,
  describeState,
  FaultPlan,
  isInjected,
  outcomeOf,
  readObjects,
  readVisible,
  runOp,
  sameState,
  sleep,
  snapshot,
  TMP_PREFIX,
} from './saga-harness';
import type { Snapshot } from './saga-harness';
import {
  applyFaulted,
  applyOp,
  dedupe,
  describeOp,
  keyOf,
  NAMESPACES,
  PATHS,
  PREFIXES,
  splitKey,
} from './saga-model';
import type { Namespace, Op, State } from './saga-model';

export interface SagaPropertyOptions {
  /** Scenarios to run; `SAGA_RUNS` overrides it. */
  readonly numRuns: number;
  /** Lease of the session under test; recovery waits for it to run out. Default 50 ms. */
  readonly leaseMs?: number;
  /** Jest timeout of the whole property. */
  readonly timeoutMs: number;
}

interface InitialFile {
  readonly ns: Namespace;
  readonly path: string;
  readonly body: string;
}

interface Scenario {
  readonly initial: readonly InitialFile[];
  readonly ops: readonly Op[];
  readonly ending: 'commit' | 'rollback' | 'close';
  /** Indices of the connector calls that fail while the operations run. */
  readonly opFaults: readonly number[];
  /** Indices of the connector calls that fail during commit, rollback or close. */
  readonly endFaults: readonly number[];
  /** After an operation failed on a fault: go on (catching it) or go straight to the ending. */
  readonly continueAfterFault: boolean;
  /** After a failed compensation: retry rollback() once healed, or close and let recovery run. */
  readonly afterFailure: 'retry' | 'recover';
}

const nsArb = fc.constantFrom<Namespace>(...NAMESPACES);
const pathArb = fc.constantFrom<string>(...PATHS);
const bodyArb = fc.string({ maxLength: 3 });

const filesArb = fc.uniqueArray(fc.record({ path: pathArb, body: bodyArb }), {
  minLength: 1,
  maxLength: 2,
  selector: (f) => f.path,
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom<'create' | 'put'>('create', 'put'),
      ns: nsArb,
      files: filesArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant<'delete'>('delete'),
      ns: nsArb,
      paths: fc.uniqueArray(pathArb, { minLength: 1, maxLength: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant<'deletePrefix'>('deletePrefix'),
      ns: nsArb,
      prefix: fc.constantFrom<string>(...PREFIXES),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        kind: fc.constantFrom<'copy' | 'move'>('copy', 'move'),
        ns: nsArb,
        from: pathArb,
        to: pathArb,
        toNamespace: nsArb,
        overwrite: fc.boolean(),
      },
      { requiredKeys: ['kind', 'ns', 'from', 'to'] },
    ),
  },
);

/** Every body written gets a unique tag, so a restore from the wrong version is caught. */
function tagBodies(ops: readonly Op[]): Op[] {
  return ops.map((op, i) =>
    op.kind === 'create' || op.kind === 'put'
      ? {
          ...op,
          files: op.files.map((f, j) => ({
            ...f,
            body: `op${i}.${j}:${f.body}`,
          })),
        }
      : op,
  );
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  initial: fc
    .uniqueArray(fc.record({ ns: nsArb, path: pathArb, body: bodyArb }), {
      maxLength: 5,
      selector: (f) => keyOf(f.ns, f.path),
    })
    .map((files) =>
      files.map((f, i) => ({ ...f, body: `init${i}:${f.body}` })),
    ),
  ops: fc.array(opArb, { maxLength: 8 }).map(tagBodies),
  ending: fc.constantFrom<'commit' | 'rollback' | 'close'>(
    'commit',
    'rollback',
    'close',
  ),
  opFaults: fc.oneof(
    fc.constant([]),
    fc.uniqueArray(fc.nat({ max: 12 }), { minLength: 1, maxLength: 3 }),
  ),
  endFaults: fc.oneof(
    fc.constant([]),
    fc.uniqueArray(fc.nat({ max: 5 }), { minLength: 1, maxLength: 3 }),
  ),
  continueAfterFault: fc.boolean(),
  afterFailure: fc.constantFrom<'retry' | 'recover'>('retry', 'recover'),
});

class PropertyFailure extends Error {}

function fail(log: readonly string[], message: string): never {
  throw new PropertyFailure(`${message}\n  trace:\n    ${log.join('\n    ')}`);
}

/** Narrows the possible worlds to those whose visible files equal what the session sees. */
async function observeSession(
  uow: TestUnitOfWork,
  worlds: readonly State[],
  log: string[],
): Promise<State[]> {
  let seen: Map<string, string>;
  try {
    seen = await readVisible(uow);
  } catch (error) {
    fail(
      log,
      `the session cannot read its own visible files: ${String(error)}`,
    );
  }
  const matching = worlds.filter((w) => sameState(w, seen));
  if (matching.length === 0) {
    fail(
      log,
      `the session sees ${describeState(seen)}; the model allows ${worlds.map(describeState).join(' or ')}`,
    );
  }
  return matching;
}

async function checkRestored(
  fixture: Fixture,
  before: Snapshot,
  plan: FaultPlan,
  log: string[],
  what: string,
): Promise<void> {
  const after = await snapshot(fixture);
  if (!sameState(after.visible, before.visible)) {
    fail(
      log,
      `${what}: visible files are ${describeState(after.visible)}, before the session they were ${describeState(before.visible)}`,
    );
  }
  try {
    assertConsistent(after);
    assertObjects(
      after.objects,
      new Map([...before.objects].map(([k, o]) => [k, o.text])),
      plan.garbage(),
      what,
    );
  } catch (error) {
    fail(log, `${what}: ${(error as Error).message}`);
  }
}

async function runScenario(
  source: FixtureSource,
  leaseMs: number,
  scenario: Scenario,
): Promise<void> {
  const fixture = await source.fixture({ leaseMs });
  try {
    await runScenarioOn(fixture, leaseMs, scenario);
  } finally {
    await fixture.dispose();
  }
}

async function runScenarioOn(
  fixture: Fixture,
  leaseMs: number,
  scenario: Scenario,
): Promise<void> {
  const plan = new FaultPlan(
    new Set(scenario.opFaults),
    new Set(scenario.endFaults),
  );
  fixture.connector.failWhen(plan.rule);
  const log: string[] = [];

  // A committed initial state, written without faults.
  let initial: State = new Map();
  if (scenario.initial.length > 0) {
    await fixture.factory.run(async (uow) => {
      for (const f of scenario.initial) {
        await runOp(uow, {
          kind: 'create',
          ns: f.ns,
          files: [{ path: f.path, body: f.body }],
        });
      }
    });
    initial = new Map(
      scenario.initial.map((f) => [keyOf(f.ns, f.path), f.body]),
    );
  }
  log.push(`initial ${describeState(initial)}`);
  const before = await snapshot(fixture);
  expect(sameState(before.visible, initial)).toBe(true);
  assertConsistent(before);

  const uow = await fixture.factory.begin();
  let worlds: State[] = [initial];
  let opFaulted = false;

  for (const op of scenario.ops) {
    const injectedBefore = plan.injected.length;
    plan.phase = 'ops';
    let error: unknown = null;
    try {
      await runOp(uow, op);
    } catch (e) {
      error = e ?? new Error('rejected without a reason');
    }
    plan.phase = 'off';
    const faulted = plan.injected.length > injectedBefore;
    const observed = error === null ? 'ok' : outcomeOf(error);
    log.push(
      `${describeOp(op)} → ${observed ?? String(error)}${faulted ? ' [fault injected]' : ''}`,
    );

    if (faulted && error !== null) {
      if (!isInjected(error)) {
        fail(log, `an injected fault surfaced as ${String(error)}`);
      }
      opFaulted = true;
      worlds = dedupe(worlds.flatMap((w) => applyFaulted(w, op)));
    } else {
      if (observed === null) fail(log, `unexpected error ${String(error)}`);
      worlds = dedupe(
        worlds.flatMap((w) => {
          const { outcome, next } = applyOp(w, op);
          return outcome === observed ? [next] : [];
        }),
      );
    }
    if (worlds.length === 0) fail(log, 'no model state explains this outcome');

    worlds = await observeSession(uow, worlds, log);
    try {
      assertNothingLost(
        before.visible,
        await readObjects(fixture),
        'mid-session',
      );
    } catch (e) {
      fail(log, (e as Error).message);
    }
    if (faulted && error !== null && !scenario.continueAfterFault) break;
  }

  plan.phase = 'end';
  let endError: unknown = null;
  try {
    if (scenario.ending === 'commit') await uow.commit();
    else if (scenario.ending === 'rollback') await uow.rollback();
    else await uow.close();
  } catch (e) {
    endError = e ?? new Error('rejected without a reason');
  }
  plan.phase = 'off';
  fixture.connector.heal();
  const endFaults = plan.injected.filter((i) => i.phase === 'end');
  log.push(
    `${scenario.ending}() → ${endError === null ? 'ok' : String(endError)}` +
      (endFaults.length > 0
        ? ` [faults: ${endFaults.map((f) => `${f.call.method}(${f.call.namespace}: ${f.call.keys.join(', ')})`).join('; ')}]`
        : ''),
  );

  if (endError === null && scenario.ending === 'commit') {
    await uow.close();
    const after = await snapshot(fixture);
    if (!worlds.some((w) => sameState(w, after.visible))) {
      fail(
        log,
        `after commit the visible files are ${describeState(after.visible)}; the model allows ${worlds.map(describeState).join(' or ')}${opFaulted ? ' (or the state before the session, had the commit refused)' : ''}`,
      );
    }
    try {
      assertConsistent(after);
      assertObjects(after.objects, after.visible, plan.garbage(), 'commit');
    } catch (e) {
      fail(log, `after commit: ${(e as Error).message}`);
    }
  } else if (endError === null) {
    if (scenario.ending === 'rollback') await uow.close();
    await checkRestored(fixture, before, plan, log, `after ${scenario.ending}`);
  } else if (endError instanceof CompensationFailedError) {
    if (endFaults.length === 0) {
      fail(log, 'compensation failed without any fault injected');
    }
    try {
      assertNothingLost(
        before.visible,
        await readObjects(fixture),
        'after a failed compensation',
      );
    } catch (e) {
      fail(log, (e as Error).message);
    }
    if (scenario.afterFailure === 'retry' && scenario.ending !== 'close') {
      try {
        await uow.rollback();
      } catch (e) {
        fail(log, `retrying rollback() once healed failed: ${String(e)}`);
      }
      await uow.close();
      log.push('rollback() retried once healed → ok');
      await checkRestored(
        fixture,
        before,
        plan,
        log,
        'after a retried rollback',
      );
    } else {
      if (scenario.ending !== 'close') await uow.close();
      await sleep(leaseMs + 10);
      const results = await fixture.factory.recoverExpired();
      log.push(`recoverExpired() → [${results.join(', ')}]`);
      if (
        !results.includes('rolled-back') ||
        results.some((r) => r !== 'rolled-back')
      ) {
        fail(log, `recovery did not roll the session back`);
      }
      await checkRestored(fixture, before, plan, log, 'after recovery');
    }
  } else if (
    endError instanceof CommitFailedError &&
    scenario.ending === 'commit'
  ) {
    await uow.close();
    await checkRestored(fixture, before, plan, log, 'after a failed commit');
  } else {
    fail(log, `${scenario.ending}() threw ${String(endError)}`);
  }

  // No session is left behind: every lock is released and nothing is waiting for recovery.
  const sessions = await fixture.backend.findExpiredSessions(
    new Date(Date.now() + 24 * 3600_000),
    10,
  );
  if (sessions.length > 0) {
    fail(
      log,
      `${sessions.length} session row(s) left: ${sessions.map((s) => s.state).join(', ')}`,
    );
  }
  const leftovers = [...(await readObjects(fixture)).keys()].filter(
    (k) => splitKey(k).path.startsWith(TMP_PREFIX) && !plan.garbage().has(k),
  );
  if (leftovers.length > 0)
    fail(log, `tmp objects left: ${leftovers.join(', ')}`);
}

/**
 * The property-based saga test on one kind of connector: random operations, random faults
 * injected around the real connector, commit, rollback or close; storage and metadata must stay
 * exact and nothing may be lost. `SAGA_SEED` and `SAGA_PATH` replay a failure.
 */
export function describeSagaProperty(
  source: FixtureSource,
  options: SagaPropertyOptions,
): void {
  const leaseMs = options.leaseMs ?? 50;
  const numRuns = Number(process.env.SAGA_RUNS ?? options.numRuns);
  describe(`saga property on ${source.name}: random operations, random faults, commit or rollback`, () => {
    it(
      'keeps storage and metadata exact and loses nothing',
      async () => {
        await fc.assert(
          fc.asyncProperty(scenarioArb, (scenario) =>
            runScenario(source, leaseMs, scenario),
          ),
          {
            numRuns,
            ...(process.env.SAGA_SEED
              ? {
                  seed: Number(process.env.SAGA_SEED),
                  path: process.env.SAGA_PATH,
                }
              : {}),
          },
        );
      },
      options.timeoutMs,
    );
  });
}
