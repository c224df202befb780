import { CoutReader, reportsFailure } from '../../../activities/runtimes/cout';

function read(lines: Array<['stdout' | 'stderr', string]>): Record<string, string> {
  const reader = new CoutReader();
  for (const [stream, line] of lines) reader.line(stream, line);
  return reader.outputs;
}

describe('CoutReader (the original [COUT] protocol)', () => {
  it('reads KEY = VALUE with or without spaces, on either stream, keeping = inside values', () => {
    expect(
      read([
        ['stdout', '[COUT] CO_URL = https://hub/x?a=b'],
        ['stderr', '[COUT]CO_RESULT=false'],
        ['stdout', 'plain line'],
      ]),
    ).toEqual({ CO_URL: 'https://hub/x?a=b', CO_RESULT: 'false' });
  });

  it('treats [COUT] lines without = as log lines', () => {
    expect(read([['stdout', '[COUT] git clone https://github.com/x/y.git']])).toEqual({});
  });

  it('collects a report block up to the next [COUT] line of the same stream', () => {
    expect(
      read([
        ['stdout', '[COUT] CO_YAML_CONTENT errors: 2'],
        ['stderr', 'warning on the other stream'],
        ['stdout', 'files:'],
        ['stdout', '  - a.py'],
        ['stdout', '[COUT] CO_RESULT = true'],
        ['stdout', 'after the block'],
      ]),
    ).toEqual({ CO_YAML_CONTENT: 'errors: 2\nfiles:\n  - a.py', CO_RESULT: 'true' });
  });

  it('reads the PHP form: [COUT] CO_JSON_CONTENT = and the report on the next lines', () => {
    expect(
      read([
        ['stdout', '[COUT] CO_JSON_CONTENT = '],
        ['stdout', '{"ok": true}'],
      ]),
    ).toEqual({
      CO_JSON_CONTENT: '{"ok": true}',
    });
  });

  it('stops a report block that outgrows its limit, keeping what fit', () => {
    const reader = new CoutReader(11);
    for (const line of ['[COUT] CO_JSON_CONTENT [1,', '2,', '3,', '4]', 'plain']) reader.line('stdout', line);
    expect(reader.outputs).toEqual({ CO_JSON_CONTENT: '[1,\n2,\n3,' });
  });

  it('reports failure when the last CO_RESULT is false', () => {
    expect(reportsFailure({ CO_RESULT: ' FALSE ' })).toBe(true);
    expect(reportsFailure({ CO_RESULT: 'true' })).toBe(false);
    expect(reportsFailure({})).toBe(false);
  });
});
