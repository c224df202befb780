import type { StoredLogRow } from './rows';

interface Side {
  source: AsyncIterator<StoredLogRow[]>;
  rows: StoredLogRow[];
  at: number;
  done: boolean;
}

/** Reads the side's next non-empty batch once its current one is used up; false when it has no more rows. */
async function hasRows(side: Side): Promise<boolean> {
  while (!side.done && side.at >= side.rows.length) {
    const next = await side.source.next();
    if (next.done) side.done = true;
    else {
      side.rows = next.value;
      side.at = 0;
    }
  }
  return side.at < side.rows.length;
}

/**
 * Merges two id-ordered streams of row batches into one, in id order. A row found in both (an
 * attempt archived while its rows are not deleted yet) is the same row and goes out once.
 */
export async function* mergeById(
  a: AsyncIterator<StoredLogRow[]>,
  b: AsyncIterator<StoredLogRow[]>,
): AsyncGenerator<StoredLogRow[]> {
  const x: Side = { source: a, rows: [], at: 0, done: false };
  const y: Side = { source: b, rows: [], at: 0, done: false };
  try {
    for (;;) {
      const xLeft = await hasRows(x);
      const yLeft = await hasRows(y);
      if (!xLeft && !yLeft) return;
      const out: StoredLogRow[] = [];
      while (x.at < x.rows.length || y.at < y.rows.length) {
        const rx = x.rows[x.at];
        const ry = y.rows[y.at];
        // one side's batch used up while the other has rows: refill it before going on
        if ((!rx && !x.done) || (!ry && !y.done)) break;
        if (!ry || (rx && rx.id < ry.id)) {
          out.push(rx!);
          x.at++;
        } else if (!rx || ry.id < rx.id) {
          out.push(ry);
          y.at++;
        } else {
          out.push(rx);
          x.at++;
          y.at++;
        }
      }
      if (out.length > 0) yield out;
    }
  } finally {
    await Promise.all([x, y].map((s) => (s.done ? undefined : s.source.return?.())));
  }
}
