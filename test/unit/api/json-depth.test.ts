import fc from 'fast-check';
import { assertJsonDepth, jsonTooDeepAt, MAX_JSON_DEPTH } from '../../../api/http/json-depth';
import { HttpError } from '../../../lib/errors';

const nest = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

describe('JSON body nesting bound', () => {
  it(`lets ${MAX_JSON_DEPTH} levels through and refuses the next at its bracket`, () => {
    expect(jsonTooDeepAt(Buffer.from(nest(MAX_JSON_DEPTH)))).toBeUndefined();
    expect(jsonTooDeepAt(Buffer.from(nest(MAX_JSON_DEPTH + 1)))).toBe(MAX_JSON_DEPTH);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const body = JSON.stringify({ source: '['.repeat(10_000), quoted: `\\"${'{'.repeat(500)}"` });
    expect(jsonTooDeepAt(Buffer.from(body))).toBeUndefined();
  });

  it('answers 422 with the line and column of the first bracket too many', () => {
    // line 2 is '  "a": [[[...': the object is level 1, so the 64th [ is one too many
    let thrown: unknown;
    try {
      assertJsonDepth(Buffer.from(`{\n  "a": ${nest(5_000)}\n}`));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HttpError);
    expect(thrown).toMatchObject({ status: 422, errors: [{ line: 2, col: 7 + MAX_JSON_DEPTH }] });
  });

  it('agrees with the real depth of any JSON value', () => {
    const depthOf = (v: unknown): number =>
      v !== null && typeof v === 'object'
        ? 1 + Math.max(0, ...(Array.isArray(v) ? v : Object.values(v)).map(depthOf))
        : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 70 }), (value, wrap) => {
        const body = Buffer.from(nest(wrap, JSON.stringify(value)));
        const depth = wrap + depthOf(value);
        expect(jsonTooDeepAt(body) === undefined).toBe(depth <= MAX_JSON_DEPTH);
      }),
      { numRuns: 500, seed: 22 },
    );
  });
});
