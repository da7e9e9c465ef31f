import { ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { PostgresBackend, recordKeyOf } from '../../../lib';
import type { ChildMessage, ParentMessage } from './support/race-child';
import {
  dropSchemas,
  randomSchemaName,
  TEST_DATABASE_URL,
} from './support/postgres-test-schema';

const ROUNDS = 5;

/** One child process with a queue of the messages it sent. */
class Racer {
  private readonly inbox: ChildMessage[] = [];
  private waiting: ((message: ChildMessage) => void) | null = null;

  constructor(readonly process: ChildProcess) {
    process.on('message', (message: ChildMessage) => {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = null;
        resolve(message);
      } else this.inbox.push(message);
    });
  }

  send(message: ParentMessage): void {
    this.process.send(message);
  }

  next(timeoutMs = 15_000): Promise<ChildMessage> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`child ${this.process.pid} sent nothing`)),
        timeoutMs,
      );
      this.waiting = (message) => {
        clearTimeout(timer);
        resolve(message);
      };
    });
  }
}

describe('postgres backend across processes', () => {
  const schema = randomSchemaName('race');
  const scope = 'race';
  let racers: Racer[] = [];
  let observer: PostgresBackend;

  beforeAll(async () => {
    // Migrate first, so the children race on paths, not on the schema.
    observer = new PostgresBackend({
      connectionString: TEST_DATABASE_URL,
      schema,
      scope,
    });
    await observer.open();
    racers = [0, 1].map(
      () =>
        new Racer(
          fork(join(__dirname, 'support', 'race-child.ts'), [], {
            execArgv: ['-r', 'ts-node/register/transpile-only'],
            env: {
              ...process.env,
              RACE_DATABASE_URL: TEST_DATABASE_URL,
              RACE_SCHEMA: schema,
              RACE_SCOPE: scope,
            },
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          }),
        ),
    );
    for (const racer of racers)
      expect(await racer.next(30_000)).toEqual({ type: 'ready' });
  }, 40_000);

  afterAll(async () => {
    await Promise.all(
      racers.map(async (racer) => {
        if (racer.process.exitCode !== null) return;
        racer.send({ type: 'exit' });
        await Promise.race([
          once(racer.process, 'exit'),
          new Promise((resolve) => setTimeout(resolve, 5000)),
        ]);
        racer.process.kill();
      }),
    );
    await observer.close();
    await dropSchemas([schema]);
  });

  it('gives exactly one winner and a RecordLockedError to the other, every time', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const path = `contested/${round}.txt`;
      for (const racer of racers) racer.send({ type: 'go', path });
      const outcomes = await Promise.all(racers.map((r) => r.next()));

      const staged = outcomes.filter((o) => o.type === 'staged');
      const failed = outcomes.filter((o) => o.type === 'failed');
      expect(staged).toHaveLength(1);
      expect(failed).toEqual([
        expect.objectContaining({ code: 'E_FENNFLOW_RECORD_LOCKED' }),
      ]);

      const winner = racers[outcomes.indexOf(staged[0])];
      winner.send({ type: 'commit' });
      expect(await winner.next()).toEqual({ type: 'committed' });

      const key = { namespace: 'race-files', path };
      const row = (await observer.getRecords([key])).get(recordKeyOf(key));
      expect(row).toMatchObject({
        status: 'uploaded',
        lockedBy: null,
        sessionId: (staged[0] as { sessionId: string }).sessionId,
      });
    }
  }, 30_000);
});
