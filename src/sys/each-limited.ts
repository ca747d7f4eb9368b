/**
 * Work over a list, a few items at once, in list order (a pull's layers, a
 * push's, the directories a collection removes). The first failure starts
 * no further item and aborts the signal the others were given; the call
 * rejects with it once every started item has ended, so nothing is still
 * running when the caller lets go of its locks. An abort of `outer` is
 * reported as its own reason.
 */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, signal: AbortSignal) => Promise<void>,
  outer?: AbortSignal,
): Promise<void> {
  const abort = new AbortController();
  const signal = outer ? AbortSignal.any([outer, abort.signal]) : abort.signal;
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal.aborted) await work(items[next++] as T, signal);
  };
  const workers = Array.from({ length: Math.min(limit, items.length) }, () =>
    worker().catch((err) => {
      abort.abort(err);
      throw err;
    }),
  );
  const results = await Promise.allSettled(workers);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) throw outer?.aborted ? outer.reason : failure.reason;
}
