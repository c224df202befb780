import type { SourceMap } from '../../parse';
import type { FormatOptions, FormatResult } from '../github/compile';

export function compileGitlabCi(_doc: Record<string, unknown>, _map: SourceMap, _options: FormatOptions): FormatResult {
  return { ok: false, errors: [{ path: '', line: 1, col: 1, message: 'GitLab CI is not supported yet' }], warnings: [] };
}
