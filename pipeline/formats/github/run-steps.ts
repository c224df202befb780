import type { PathSegment } from '../../errors';
import { parseGhExpression } from './expr-parse';
import { stepCondition } from './expr-shell';
import type { ScriptStep } from './job-script';
import { refResolver, type RefContext, type ScriptRefs } from './refs';
import type { Job, Step } from './schema';
import type { WorkflowScope } from './scope';
import { bareCondition, guarded, scriptTemplate, scriptWord, type ScriptHooks } from './templates';

const SHELLS: Record<string, string> = {
  bash: 'bash --noprofile --norc -eo pipefail {0}',
  sh: 'sh -e {0}',
  python: 'python3 {0}',
};
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The job's run: steps as script steps; references to step outputs become script variables. */
export class RunSteps {
  readonly steps: ScriptStep[] = [];
  private readonly ids = new Map<string, number>();
  private readonly outputVars = new Map<string, string>();

  constructor(
    private readonly gid: string,
    private readonly job: Job,
    private readonly scope: WorkflowScope,
    private readonly ctx: RefContext,
    private readonly hooks: ScriptHooks,
  ) {}

  /** Resolves steps.<id>.* for text of step `before` (Infinity: the job's outputs). */
  refs(before: number): ScriptRefs {
    return {
      step: (id, path) => {
        const index = this.ids.get(id);
        if (index === undefined || index >= before)
          return { error: `no earlier step with id "${id}" in this job` };
        const [field, key] = path;
        if (field === 'outputs' && key && path.length === 2) return this.outputVar(index, key);
        if ((field === 'outcome' || field === 'conclusion') && path.length === 1) {
          return `CO_GH_STEP_${index}_${field.toUpperCase()}`;
        }
        return {
          error: `steps.${id}.${path.join('.')} is not supported (outputs.<name>, outcome, conclusion)`,
        };
      },
    };
  }

  private outputVar(index: number, key: string): string {
    const id = `${index}\0${key}`;
    let name = this.outputVars.get(id);
    if (!name) {
      name = `CO_GH_OUTPUT_${this.outputVars.size + 1}`;
      this.outputVars.set(id, name);
      this.steps.find((s) => s.index === index)!.outputs.push([name, key]);
    }
    return name;
  }

  add(step: Step, k: number): void {
    const at: PathSegment[] = ['jobs', this.gid, 'steps', k];
    const problem = (path: PathSegment[], message: string, offset?: number) =>
      this.scope.problems.push({ path, message, offset });
    const resolver = refResolver({ ...this.ctx, script: this.refs(k) });
    const text = (value: string, path: PathSegment[]) =>
      scriptTemplate(value, resolver, this.hooks, (offset, message) => problem(path, message, offset));
    const word = (value: string, path: PathSegment[]) =>
      scriptWord(value, resolver, this.hooks, (offset, message) => problem(path, message, offset));
    const env: [string, string][] = [];
    for (const [name, value] of Object.entries(step.env ?? {})) {
      if (!ENV_NAME.test(name))
        problem([...at, 'env', name], `env name "${name}" must be letters, digits and _`);
      else env.push([name, word(String(value ?? ''), [...at, 'env', name])]);
    }
    const wd =
      step['working-directory'] ??
      this.job.defaults?.run?.['working-directory'] ??
      this.scope.defaults.workingDirectory;
    const script: ScriptStep = {
      index: k,
      label: label(step),
      body: text(step.run!, [...at, 'run']),
      shell: this.shell(step, at, problem),
      workingDirectory: wd === undefined ? undefined : word(wd, [...at, 'working-directory']),
      env,
      condition: this.condition(step, at, resolver, problem),
      continueOnError: step['continue-on-error'] ?? false,
      timeoutMinutes: step['timeout-minutes'],
      outputs: [],
    };
    this.steps.push(script);
    if (step.id !== undefined) {
      if (this.ids.has(step.id)) problem([...at, 'id'], `duplicate step id "${step.id}" in job ${this.gid}`);
      this.ids.set(step.id, k);
    }
  }

  private shell(step: Step, at: PathSegment[], problem: (p: PathSegment[], m: string) => void): string {
    const name = step.shell ?? this.job.defaults?.run?.shell ?? this.scope.defaults.shell ?? 'bash';
    if (SHELLS[name]) return SHELLS[name]!;
    if (name.includes('{0}') && !/^(pwsh|powershell|cmd)\b/.test(name)) return name;
    problem(
      [...at, 'shell'],
      `shell "${name}" is not available (supported: bash, sh, python, or a command with {0})`,
    );
    return SHELLS.bash!;
  }

  private condition(
    step: Step,
    at: PathSegment[],
    resolver: ReturnType<typeof refResolver>,
    problem: (p: PathSegment[], m: string, o?: number) => void,
  ): string {
    if (step.if === undefined) return '[ "$co_failed" = 0 ]';
    if (typeof step.if === 'boolean') return step.if ? '[ "$co_failed" = 0 ]' : 'false';
    const { source, start } = bareCondition(step.if);
    const onProblem = (offset: number, message: string) => problem([...at, 'if'], message, offset);
    const result = guarded(() => stepCondition(parseGhExpression(source), resolver), start, onProblem);
    return result ?? 'false';
  }
}

/** The step's name for the log, with expressions shown as their source, never evaluated. */
function label(step: Step): string {
  const text = step.name ?? `Run ${(step.run ?? '').trim().split('\n')[0]!.slice(0, 80)}`;
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, '<$1>').replace(/\$\{\{/g, '<');
}
