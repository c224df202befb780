/**
 * Step outputs, shared by every runtime: the `$CO_OUTPUTS` file format (`key=value` lines and
 * `key<<DELIM ... DELIM` heredocs, as in GitHub Actions) and the original ContainerOps
 * `[COUT] KEY=VALUE` stdout convention.
 */

const HEREDOC = /^([^=\s<][^=<]*?)<<\s*(\S+)\s*$/;
const COUT = /^\s*\[COUT\]\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s?(.*)$/;

/** Parses the text of a `$CO_OUTPUTS` file; later keys win, malformed lines are ignored. */
export function parseOutputsFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = HEREDOC.exec(line);
    if (heredoc) {
      const [, key = '', delimiter] = heredoc;
      const end = lines.indexOf(delimiter ?? '', i + 1);
      // An unterminated heredoc is a truncated value: dropping it beats passing half of it on.
      if (end === -1) break;
      outputs[key.trim()] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (key && !/\s/.test(key)) outputs[key] = line.slice(eq + 1);
  }
  return outputs;
}

/** `[COUT] KEY=VALUE` (spaces around `=` allowed, as original components print them). */
export function parseCoutLine(line: string): [string, string] | undefined {
  const match = COUT.exec(line);
  if (!match) return undefined;
  const [, key = '', value = ''] = match;
  return [key, value.replace(/\r$/, '')];
}
