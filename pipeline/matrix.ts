/** Largest number of combinations a matrix step may expand to. */
export const MAX_MATRIX_COMBINATIONS = 10_000;

/** Number of combinations, saturating at MAX+1 so huge products never overflow. */
export function matrixSize(axes: Record<string, readonly unknown[]>): number {
  let size = 1;
  for (const values of Object.values(axes)) {
    size = Math.min(size * values.length, MAX_MATRIX_COMBINATIONS + 1);
  }
  return size;
}

/** Cartesian product of the axes, first axis varying slowest, in axis order. */
export function expandMatrix(axes: Record<string, string[]>): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}];
  for (const [axis, values] of Object.entries(axes)) {
    const next: Record<string, string>[] = [];
    for (const combo of combos) for (const value of values) next.push({ ...combo, [axis]: value });
    combos = next;
  }
  return combos;
}

/** Stable key for one combination, e.g. `node=20,os=linux` (keys sorted). */
export function matrixKey(combo: Record<string, string>): string {
  return Object.keys(combo)
    .sort()
    .map((k) => `${k}=${combo[k]}`)
    .join(',');
}
