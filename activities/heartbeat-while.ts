/**
 * Runs `work` while heartbeating every `everyMs`. What a step does around its runtime (restoring a
 * cache or a memoized result, storing artifacts, a cache, a workspace snapshot) has no runtime
 * heartbeating for it: a large cache on a busy machine outlasts the activity's heartbeat timeout, and
 * Temporal would start the attempt again and again.
 */
export async function heartbeatWhile<T>(
  beat: () => void,
  work: () => Promise<T>,
  everyMs = 3000,
): Promise<T> {
  const safeBeat = () => {
    try {
      beat();
    } catch {
      // a cancelled activity: its signal ends the work
    }
  };
  safeBeat();
  const timer = setInterval(safeBeat, everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
