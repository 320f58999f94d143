// A bounded parallel loop, for the executor's forks and the graph's live probes.
/** Runs fn over items with at most `limit` in flight. */
export async function forEachLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const t = items[next++];
      await fn(t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
