export interface SettledRun<T> {
  /** Result by task index; undefined where the task failed. */
  readonly results: (T | undefined)[];
  /** Failures by task index, in index order. */
  readonly failures: { readonly index: number; readonly error: unknown }[];
}

/**
 * Runs tasks with bounded concurrency and waits for every one to settle, so no upload is still
 * in flight when compensation starts.
 */
export async function runAllSettled<T>(
  tasks: readonly (() => Promise<T>)[],
  concurrency = 8,
): Promise<SettledRun<T>> {
  const results = new Array<T | undefined>(tasks.length);
  const failures: { index: number; error: unknown }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      try {
        results[index] = await tasks[index]();
      } catch (error) {
        failures.push({ index, error });
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tasks.length) }, worker),
  );
  failures.sort((a, b) => a.index - b.index);
  return { results, failures };
}

/** As runAllSettled, then throws the first failure (by index) if any task failed. */
export async function runSettled<T>(
  tasks: readonly (() => Promise<T>)[],
  concurrency = 8,
): Promise<T[]> {
  const { results, failures } = await runAllSettled(tasks, concurrency);
  if (failures.length > 0) throw failures[0].error;
  return results as T[];
}
