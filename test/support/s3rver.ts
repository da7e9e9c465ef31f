import { ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningS3rver {
  readonly endpoint: string;
  readonly port: number;
  /** Where s3rver keeps its buckets. */
  readonly directory: string;
  readonly region: 'us-east-1';
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** `METHOD url status` of every request answered since the previous call. */
  takeRequests(): Promise<string[]>;
  stop(): Promise<void>;
}

type ChildMessage =
  { port: number } | { requests: string[] } | { error: string };

/**
 * Starts s3rver in a child process on a free port (port 0, read back), with its own temp
 * folder; `stop()` ends the process and removes the folder.
 */
export async function startS3rver(): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 'fennflow-s3rver-'));
  const child = fork(join(__dirname, 's3rver-process.cjs'), [directory], {
    execArgv: ['--openssl-legacy-provider'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: ChildMessage) => {
        if ('port' in message) resolve(message.port);
        else
          reject(
            new Error(`s3rver failed to start: ${JSON.stringify(message)}`),
          );
      });
      child.once('exit', (code) =>
        reject(new Error(`s3rver exited with code ${code} before listening`)),
      );
    });
  } catch (error) {
    child.kill();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    directory,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    takeRequests: () => ask(child),
    stop: async () => {
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function ask(child: ChildProcess): Promise<string[]> {
  return new Promise((resolve) => {
    const onMessage = (message: ChildMessage) => {
      if ('requests' in message) {
        child.off('message', onMessage);
        resolve(message.requests);
      }
    };
    child.on('message', onMessage);
    child.send('requests');
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => resolve()),
  );
  child.send('stop');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
