/**
 * Runs tasks with bounded concurrency and waits for every one to settle before reporting the
 * first failure, so no upload is still in flight when compensation starts.
 */
export async function runSettled<T>(
  tasks: readonly (() => Promise<T>)[],
  concurrency = 8,
): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  const errors: { index: number; error: unknown }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      try {
        results[index] = await tasks[index]();
      } catch (error) {
        errors.push({ index, error });
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tasks.length) }, worker),
  );
  if (errors.length > 0) {
    errors.sort((a, b) => a.index - b.index);
    throw errors[0].error;
  }
  return results;
}
