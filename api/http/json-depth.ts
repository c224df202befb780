import { HttpError } from '../../lib/errors';

/** Deepest nesting of arrays and objects a JSON body may have; no API body comes near it. */
export const MAX_JSON_DEPTH = 64;

/**
 * Refuses a JSON body nested deeper than MAX_JSON_DEPTH, by a linear scan of its bytes before it
 * is parsed: JSON.parse copes with any depth, but JSON.stringify, the YAML parser and every
 * recursive walk after it overflow the stack (a 5,000-deep array was a 500).
 */
export function assertJsonDepth(body: Buffer): void {
  const offset = jsonTooDeepAt(body);
  if (offset !== undefined) throw tooDeep(body, offset);
}

/** Offset of the first bracket past MAX_JSON_DEPTH, if any (strings skipped, escapes honoured). */
export function jsonTooDeepAt(body: Buffer): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (inString) {
      if (byte === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return i;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return undefined;
}

function tooDeep(body: Buffer, offset: number): HttpError {
  let line = 1;
  let lineStart = 0;
  for (let i = body.indexOf(0x0a); i >= 0 && i < offset; i = body.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const message = `nesting is too deep: at most ${MAX_JSON_DEPTH} levels of arrays and objects`;
  return new HttpError(422, 'Unprocessable Content', `the request body is invalid: ${message}`, [
    { path: '(root)', line, col: offset - lineStart + 1, message },
  ]);
}
