import { CoutReader } from './cout';
import { LineSplitter } from './lines';
import type { LogStream, StepHooks } from './runtime';

/** A step's stdout and stderr split into log lines, with `[COUT]` outputs read from whole lines. */
export function stepLines(onLine: StepHooks['onLine']) {
  const cout = new CoutReader();
  // a piece of an over-long line is no [COUT] line: only whole lines are read for outputs
  const splitter = (stream: LogStream) => {
    let midLine = false;
    return new LineSplitter((line, continues) => {
      if (!midLine && !continues) cout.line(stream, line);
      midLine = continues;
      onLine(stream, line, continues);
    });
  };
  const streams = { stdout: splitter('stdout'), stderr: splitter('stderr') };
  return {
    cout,
    push: (stream: LogStream, chunk: string) => streams[stream].push(chunk),
    end() {
      streams.stdout.end();
      streams.stderr.end();
    },
  };
}
