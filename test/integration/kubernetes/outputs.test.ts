import { parseCoutLine, parseOutputsFile } from '../../../activities/runtimes/outputs';

describe('parseOutputsFile', () => {
  test('reads key=value lines, splitting at the first "="', () => {
    expect(parseOutputsFile('coverage=87\nurl=http://x/?a=b\n')).toEqual({
      coverage: '87',
      url: 'http://x/?a=b',
    });
  });

  test('reads heredocs verbatim, including "=" and blank lines', () => {
    const text = 'notes<<EOF\nline 1\n\nk=v\nEOF\nafter=1\n';
    expect(parseOutputsFile(text)).toEqual({ notes: 'line 1\n\nk=v', after: '1' });
  });

  test('later keys win, CRLF is accepted and malformed lines are ignored', () => {
    expect(parseOutputsFile('a=1\r\nnot an output\r\n=x\r\na=2\r\n')).toEqual({ a: '2' });
  });

  test('drops an unterminated heredoc instead of passing on half a value', () => {
    expect(parseOutputsFile('a=1\nbig<<END\npart')).toEqual({ a: '1' });
  });

  test('empty values are kept', () => {
    expect(parseOutputsFile('empty=\n')).toEqual({ empty: '' });
  });
});

describe('parseCoutLine', () => {
  test('accepts the original ContainerOps form with spaces around "="', () => {
    expect(parseCoutLine('[COUT] CO_RESULT = true')).toEqual(['CO_RESULT', 'true']);
    expect(parseCoutLine('[COUT] KEY=a=b')).toEqual(['KEY', 'a=b']);
  });

  test('ignores ordinary lines', () => {
    expect(parseCoutLine('hello [COUT] A=1')).toBeUndefined();
    expect(parseCoutLine('[COUT] no equals')).toBeUndefined();
  });
});
