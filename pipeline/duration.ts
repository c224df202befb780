const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Syntax only; parseDuration also checks unit order and range. */
export const DURATION_SYNTAX = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;
/** Longest duration we accept: 365 days, far beyond any sane step or run. */
export const MAX_DURATION_MS = 365 * UNIT_MS.d!;

/**
 * Parses `90s`, `15m`, `2h`, `1h30m`, `500ms`, `1d` into milliseconds.
 * Units must appear largest first, each at most once; returns undefined otherwise.
 */
export function parseDuration(s: string): number | undefined {
  if (typeof s !== 'string' || s.length > 64 || !DURATION_SYNTAX.test(s)) return undefined;
  let total = 0;
  let lastUnit = Infinity;
  for (const [, amount, unit] of s.matchAll(PART)) {
    const size = UNIT_MS[unit!]!;
    if (size >= lastUnit) return undefined;
    lastUnit = size;
    total += Number(amount) * size;
  }
  return total <= MAX_DURATION_MS ? total : undefined;
}

export function durationMessage(s: string): string {
  return `invalid duration ${JSON.stringify(s)}: use a number with a unit (ms, s, m, h, d), e.g. 90s, 15m, 1h30m, at most 365d`;
}
