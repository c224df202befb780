import { capErrors, sortErrors } from '../errors';
import type { CompileResult } from '../compile';
import type { SourceMap } from '../parse';
import { compileGithubWorkflow, type FormatOptions } from './github/compile';
import { compileGitlabCi } from './gitlab/compile';

/** A GitHub Actions workflow or a GitLab CI file -> the same execution plan as a native pipeline. */
export function compileOtherFormat(
  format: 'github-actions' | 'gitlab-ci',
  doc: Record<string, unknown>,
  map: SourceMap,
  options: FormatOptions,
): CompileResult {
  const result =
    format === 'github-actions'
      ? compileGithubWorkflow(doc, map, options)
      : compileGitlabCi(doc, map, options);
  const warnings = sortErrors(result.warnings);
  if (!result.ok) return { ok: false, errors: capErrors(sortErrors(result.errors)), warnings };
  return { ok: true, plan: result.plan, format, warnings };
}
