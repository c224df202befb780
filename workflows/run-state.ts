import { evaluateCondition, type ExpressionContext } from '../pipeline/evaluate';
import type { PlanNode } from '../pipeline/plan';
import {
  TERMINAL_STEP_STATUSES,
  type ApprovalInput,
  type PipelineRunInput,
  type RunStatus,
  type StepState,
  type StepStatus,
} from '../contract';

/** What an approver decided, as the run keeps it until the approval step reads it. */
export type ApprovalDecision = Pick<ApprovalInput, 'decision' | 'by' | 'comment'>;

/**
 * The interpreter's decisions over one run, with no Temporal in it: step states, which steps
 * are ready, why a step is skipped, fail-fast, and the run's status before and after `finally`.
 * The workflow schedules and records; every rule of the run lives here.
 */
export class RunState {
  readonly steps = new Map<string, StepState>();
  readonly decisions = new Map<string, ApprovalDecision>();
  /** set once a step fails without continueOnError: no new step starts (fail-fast) */
  failed = false;
  rejected = false;
  /** set when the run's timeout cancels what is running: those steps end timed_out, not cancelled */
  runTimedOut = false;
  /** bumped on every change, so the workflow can wait for "something changed" */
  version = 0;

  constructor(
    readonly input: Pick<PipelineRunInput, 'plan' | 'params' | 'runId' | 'number' | 'trigger'>,
    readonly pipelineEnv: Record<string, string>,
  ) {
    for (const node of [...input.plan.nodes, ...input.plan.finally]) {
      this.steps.set(node.id, { id: node.id, status: 'pending', attempts: 0, outputs: {} });
    }
  }

  step(id: string): StepState {
    return this.steps.get(id)!;
  }

  update(id: string, patch: Partial<StepState>): void {
    Object.assign(this.steps.get(id)!, patch);
    this.version++;
  }

  touch(): void {
    this.version++;
  }

  node(id: string): PlanNode | undefined {
    const { plan } = this.input;
    return plan.nodes.find((n) => n.id === id) ?? plan.finally.find((n) => n.id === id);
  }

  isDone(id: string): boolean {
    return TERMINAL_STEP_STATUSES.includes(this.step(id).status);
  }

  context(runStatus?: string): ExpressionContext {
    const steps: ExpressionContext['steps'] = {};
    for (const [id, s] of this.steps) steps[id] = { outputs: s.outputs, status: s.status };
    return {
      params: this.input.params,
      env: this.pipelineEnv,
      run: { id: this.input.runId, number: this.input.number, ...(runStatus ? { status: runStatus } : {}) },
      steps,
      trigger: this.input.trigger,
    };
  }

  /** Why a ready step does not run; `runStatus` is set in the finally phase, which ignores fail-fast and need health. */
  skipReason(node: PlanNode, runStatus?: string): string | undefined {
    if (runStatus !== undefined) return this.conditionSkip(node, runStatus);
    if (this.failed || this.rejected) return 'an earlier step failed';
    for (const need of node.needs) {
      const s = this.step(need);
      const tolerated = s.status !== 'succeeded' && this.node(need)?.continueOnError;
      if (s.status !== 'succeeded' && !tolerated)
        return `needs ${need}, which ${s.status === 'skipped' ? 'was skipped' : s.status}`;
    }
    return this.conditionSkip(node);
  }

  private conditionSkip(node: PlanNode, runStatus?: string): string | undefined {
    if (!node.if) return undefined;
    try {
      return evaluateCondition(node.if, this.context(runStatus))
        ? undefined
        : `condition is false: ${node.if}`;
    } catch (err) {
      return `condition could not be evaluated: ${(err as Error).message}`;
    }
  }

  /** A step's final status once its execution ended; fail-fast trips on a main step's failure. */
  finish(node: PlanNode, final: StepStatus, finallyPhase: boolean, at: number): void {
    this.update(node.id, { finishedAt: at });
    if (final !== 'succeeded' && !node.continueOnError && !finallyPhase) this.failed = true;
  }

  /** A cancelled step's status: timed out when the run's timeout cancelled it. */
  cancelledStatus(): { status: 'cancelled' | 'timed_out'; error: string } {
    return this.runTimedOut
      ? { status: 'timed_out', error: 'the run exceeded its timeout' }
      : { status: 'cancelled', error: 'cancelled' };
  }

  /** Throws the reason when a step takes no decision now: only a waiting approval step does. */
  validateDecision(input: ApprovalInput): void {
    const node = this.node(input.stepId);
    if (!node) throw new Error(`no step ${JSON.stringify(input.stepId)} in this run`);
    if (node.kind !== 'approval') throw new Error(`step ${input.stepId} is not an approval step`);
    if (input.decision !== 'approve' && input.decision !== 'reject')
      throw new Error('decision must be approve or reject');
    const state = this.step(input.stepId);
    if (state.status !== 'waiting' || this.decisions.has(input.stepId)) {
      throw new Error(
        `step ${input.stepId} is ${this.decisions.has(input.stepId) ? 'already decided' : state.status}, not waiting for a decision`,
      );
    }
  }

  decide(input: ApprovalInput): void {
    this.decisions.set(input.stepId, { decision: input.decision, by: input.by, comment: input.comment });
    this.touch();
  }

  /** An approval step's end: approved, rejected (which fails the run) or timed out. */
  approvalOutcome(
    stepId: string,
    decidedInTime: boolean,
  ): { status: StepStatus; error?: string; decision?: ApprovalDecision } {
    const decision = this.decisions.get(stepId);
    if (!decidedInTime || !decision)
      return { status: 'timed_out', error: 'no decision before the approval timeout', decision };
    if (decision.decision === 'approve') return { status: 'succeeded', decision };
    this.rejected = true;
    const comment = decision.comment ? `: ${decision.comment}` : '';
    return { status: 'failed', error: `rejected by ${decision.by}${comment}`, decision };
  }

  /** Main steps that never ended take the run's end (cancelled or timed out); returns them. */
  settleUnfinished(status: 'cancelled' | 'timed_out'): PlanNode[] {
    const settled: PlanNode[] = [];
    for (const node of this.input.plan.nodes) {
      const s = this.step(node.id);
      if (s.status === 'pending' || s.status === 'running' || s.status === 'waiting') {
        this.update(node.id, { status });
        settled.push(node);
      }
    }
    return settled;
  }

  /** The run's status as `finally` steps see it (`run.status`), with its error. */
  statusBeforeFinally(end: { envError?: string; timedOut: boolean; cancelled: boolean }): {
    status: RunStatus;
    error?: string;
  } {
    if (end.envError) return { status: 'failed', error: end.envError };
    if (end.timedOut)
      return { status: 'timed_out', error: `run exceeded its timeout of ${this.input.plan.timeoutMs} ms` };
    if (end.cancelled) return { status: 'cancelled' };
    if (this.failed || this.rejected) return { status: 'failed' };
    return { status: 'succeeded' };
  }

  /** The run's final status once `finally` ran: a failed finally step fails a succeeded run. */
  finalStatus(before: { status: RunStatus; error?: string }): { status: RunStatus; error?: string } {
    let { status, error } = before;
    const finallyFailed = this.input.plan.finally.some((n) => {
      const s = this.step(n.id).status;
      return s !== 'succeeded' && s !== 'skipped' && !n.continueOnError;
    });
    if (finallyFailed && status === 'succeeded') {
      status = 'failed';
      error = 'a finally step failed';
    }
    if (!error && status === 'failed') {
      const failedStep = [...this.steps.values()].find(
        (s) => s.status === 'failed' || s.status === 'timed_out',
      );
      if (failedStep) error = `step ${failedStep.id} ${failedStep.status}: ${failedStep.error ?? ''}`.trim();
    }
    return { status, error };
  }
}

/**
 * Which nodes of one phase (main steps or finally) may start. A pass visits nodes in plan order
 * and yields each one whose needs have all ended, so a skip earlier in a pass can ready a later node.
 */
export class GraphWalk {
  private readonly pending: Set<string>;
  private readonly running = new Set<string>();

  constructor(
    private readonly nodes: PlanNode[],
    private readonly state: Pick<RunState, 'isDone'>,
  ) {
    this.pending = new Set(nodes.map((n) => n.id));
  }

  get done(): boolean {
    return this.pending.size === 0 && this.running.size === 0;
  }

  *readyNodes(): Generator<PlanNode> {
    for (const node of this.nodes) {
      if (!this.pending.has(node.id)) continue;
      const local = node.needs.filter((n) => this.pending.has(n) || this.running.has(n));
      if (local.length > 0 || !node.needs.every((n) => this.state.isDone(n))) continue;
      this.pending.delete(node.id);
      yield node;
    }
  }

  started(id: string): void {
    this.running.add(id);
  }

  /** A step that runs in the chain of a started one: it is not yielded on its own. */
  claim(id: string): void {
    this.pending.delete(id);
    this.running.add(id);
  }

  /** A claimed step its chain did not run: it goes back to the walk (which skips or runs it). */
  release(id: string): void {
    this.running.delete(id);
    this.pending.add(id);
  }

  ended(id: string): void {
    this.running.delete(id);
  }
}
