import fs from 'node:fs';

/**
 * Kills every process whose environment holds CO_ATTEMPT_ID=<attemptId>, wherever it moved
 * (`setsid cmd &` leaves the step's process group, not its environment). The launcher does the
 * same when a step ends; this copy serves reclaim after a lost worker. Pids below `fromPid` (the
 * step's own, when known) are skipped: a step's processes are younger than the step. The container
 * runtime sends SIGTERM this way first: a container's processes are this host's processes too.
 */
export async function killAttemptProcesses(
  attemptId: string | undefined,
  fromPid = 0,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<number[]> {
  if (!attemptId) return [];
  const needle = Buffer.from(`CO_ATTEMPT_ID=${attemptId}\0`);
  const killed: number[] = [];
  const entries = await fs.promises.readdir('/proc').catch(() => [] as string[]);
  await Promise.all(
    entries.map(async (entry) => {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid || pid < fromPid) return;
      const environ = await fs.promises.readFile(`/proc/${pid}/environ`).catch(() => undefined);
      const at = environ?.indexOf(needle) ?? -1;
      if (at < 0 || (at > 0 && environ![at - 1] !== 0)) return;
      try {
        process.kill(pid, signal);
        killed.push(pid);
      } catch {
        // gone meanwhile
      }
    }),
  );
  return killed;
}
