import { useState } from 'react';
import type { Direction } from './layout';

const KEY = 'containerops.graphDirection';

/** The graph direction the user chose last (kept for the session), left to right at first. */
export function useDirection(): [Direction, (d: Direction) => void] {
  const [direction, setDirection] = useState<Direction>(() =>
    sessionStorage.getItem(KEY) === 'TB' ? 'TB' : 'LR',
  );
  return [
    direction,
    (d) => {
      sessionStorage.setItem(KEY, d);
      setDirection(d);
    },
  ];
}
