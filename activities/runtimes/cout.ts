import { parseCoutLine } from './outputs';
import type { LogStream } from './runtime';

/**
 * The original ContainerOps component output protocol, as real components speak it, on
 * stdout or stderr:
 * - `[COUT] KEY = VALUE` (spaces around `=` optional) is an output;
 * - `[COUT] CO_JSON_CONTENT <data>` (any `CO_..._CONTENT` key, with or without `=`) opens a
 *   report block: the output of that name is the data plus every following line of the same
 *   stream up to the next `[COUT]` line;
 * - any other `[COUT]` line (no `=`) is a plain log line;
 * - `[COUT] CO_RESULT = false` says the component failed, whatever its exit code.
 * Every line stays in the log as well.
 */
export class CoutReader {
  readonly outputs: Record<string, string> = {};
  private readonly openBlock: Partial<Record<LogStream, string>> = {};

  constructor(private readonly maxReportChars = MAX_REPORT_CHARS) {}

  line(stream: LogStream, line: string): void {
    const report = REPORT.exec(line);
    if (report) {
      const [, key = '', data = ''] = report;
      this.outputs[key] = data.replace(/\r$/, '');
      this.openBlock[stream] = key;
      return;
    }
    if (COUT_PREFIX.test(line)) {
      delete this.openBlock[stream];
      const output = parseCoutLine(line);
      if (output) this.outputs[output[0]] = output[1];
      return;
    }
    const block = this.openBlock[stream];
    if (block === undefined) return;
    const sofar = this.outputs[block] ?? '';
    // a block that never ends must not hold the worker's memory; the output limit judges it later
    if (sofar.length + 1 + line.length > this.maxReportChars) {
      delete this.openBlock[stream];
      return;
    }
    this.outputs[block] = sofar ? `${sofar}\n${line}` : line;
  }
}

/** Largest report block kept (the platform's largest output, stored by reference once dockyard takes them). */
export const MAX_REPORT_CHARS = 100 * 1024 * 1024;
const COUT_PREFIX = /^\s*\[COUT\]/;
const REPORT = /^\s*\[COUT\]\s*(CO_[A-Z0-9_]*CONTENT)(?:\s*=\s?|\s+|$)(.*)$/;

/** Whether outputs (from `[COUT]` or `$CO_OUTPUTS`) carry the protocol's failure verdict; the last CO_RESULT wins. */
export function reportsFailure(outputs: Record<string, string>): boolean {
  return outputs.CO_RESULT?.trim().toLowerCase() === 'false';
}
