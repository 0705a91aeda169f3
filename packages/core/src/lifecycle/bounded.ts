/**
 * Runs `work` over `items` with at most `concurrency` in flight, stopping new work once `limit`
 * items have been started (the reaper's max-deletions safety valve). Results keep input order;
 * items never started are reported as such.
 */
export async function runBounded<T, R>(
  items: T[],
  opts: { concurrency: number; limit?: number },
  work: (item: T, index: number) => Promise<R>,
): Promise<Array<{ item: T; started: boolean; result?: R; error?: unknown }>> {
  const out = items.map((item) => ({
    item,
    started: false as boolean,
    result: undefined as R | undefined,
    error: undefined as unknown,
  }));
  const limit = Math.min(opts.limit ?? items.length, items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < limit) {
      const i = next++;
      out[i]!.started = true;
      try {
        out[i]!.result = await work(items[i]!, i);
      } catch (err) {
        out[i]!.error = err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, limit || 1)) }, worker));
  return out;
}
