import {
  CancellationScope,
  ChildWorkflowCancellationType,
  condition,
  executeChild,
  isCancellation,
  workflowInfo,
} from '@temporalio/workflow';
import { deployment } from './deployment';
import { deploymentInput, isDeployStep } from './deploy-step';
import { classifyAttemptFailure } from './failures';
import { evaluateCondition, type ExpressionContext } from '../pipeline/evaluate';
import { expandMatrix } from '../pipeline/matrix';
import type { PlanNode } from '../pipeline/plan';
import { recordSteps } from './activities';
import { runAttempts } from './attempts';
import { buildLaunch } from './launch';
import { childSummary } from './child-summary';
import { fanOutMatrix, matrixStatus } from './matrix-fanout';
import { Semaphore } from './semaphore';
import {
  TERMINAL_STEP_STATUSES,
  type ApprovalInput,
  type MatrixChunkInput,
  type PipelineRunInput,
  type StepRecord,
  type StepState,
  type StepStatus,
} from './types';

interface Decision {
  decision: ApprovalInput['decision'];
  by: string;
  comment?: string;
}

/** Walks the plan's DAG: schedules ready steps, evaluates `if`, skips dependents of failures. */
export class RunInterpreter {
  readonly steps = new Map<string, StepState>();
  readonly decisions = new Map<string, Decision>();
  readonly semaphore: Semaphore;
  /** set once a step fails without continueOnError: no new step starts (fail-fast) */
  failed = false;
  rejected = false;
  /** set when the run's timeout cancels what is running: those steps end timed_out, not cancelled */
  runTimedOut = false;
  private version = 0;
  /** step executions still settling (after cancellation they finish cleaning up) */
  readonly inflight = new Set<Promise<void>>();
  private readonly pipelineEnv: Record<string, string>;

  constructor(
    readonly input: PipelineRunInput,
    pipelineEnv: Record<string, string>,
    readonly onWaitingChange: (waiting: boolean) => void,
  ) {
    this.semaphore = new Semaphore(input.plan.maxParallel);
    this.pipelineEnv = pipelineEnv;
    for (const node of [...input.plan.nodes, ...input.plan.finally]) {
      this.steps.set(node.id, { id: node.id, status: 'pending', attempts: 0, outputs: {} });
    }
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

  /** What every step launch of this run shares. */
  private launchBase() {
    return {
      project: this.input.project,
      runId: this.input.runId,
      workspaceId: this.input.workspaceId,
      pipelineEnv: this.pipelineEnv,
      params: this.input.params,
    };
  }

  private update(id: string, patch: Partial<StepState>): void {
    Object.assign(this.steps.get(id)!, patch);
    this.version++;
  }

  private async record(records: Omit<StepRecord, 'runId' | 'at'>[]): Promise<void> {
    const at = Date.now();
    await recordSteps(records.map((r) => ({ ...r, runId: this.input.runId, at })));
  }

  /** Runs nodes to completion in dependency order. `finallyPhase` ignores fail-fast and need health. */
  async runGraph(nodes: PlanNode[], runStatus?: string): Promise<void> {
    const finallyPhase = runStatus !== undefined;
    const pending = new Set(nodes.map((n) => n.id));
    const running = new Set<string>();
    const isDone = (id: string) => TERMINAL_STEP_STATUSES.includes(this.steps.get(id)!.status);
    while (pending.size > 0 || running.size > 0) {
      const seen = this.version;
      for (const node of nodes) {
        if (!pending.has(node.id)) continue;
        const local = node.needs.filter((n) => pending.has(n) || running.has(n));
        if (local.length > 0 || !node.needs.every(isDone)) continue;
        pending.delete(node.id);
        const skipReason = finallyPhase ? this.conditionSkip(node, runStatus) : this.skipReason(node);
        if (skipReason) {
          this.update(node.id, { status: 'skipped', error: skipReason });
          await this.record([{ stepId: node.id, matrixKey: '', status: 'skipped', error: skipReason }]);
          continue;
        }
        running.add(node.id);
        const execution = this.execute(node, runStatus).finally(() => {
          running.delete(node.id);
          this.inflight.delete(execution);
          this.version++;
        });
        this.inflight.add(execution);
      }
      if (pending.size > 0 || running.size > 0) await condition(() => this.version !== seen);
    }
  }

  private skipReason(node: PlanNode): string | undefined {
    if (this.failed || this.rejected) return 'an earlier step failed';
    for (const need of node.needs) {
      const s = this.steps.get(need)!;
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

  private node(id: string): PlanNode | undefined {
    return this.input.plan.nodes.find((n) => n.id === id) ?? this.input.plan.finally.find((n) => n.id === id);
  }

  /** Executes one node; never throws except for cancellation. */
  private async execute(node: PlanNode, runStatus?: string): Promise<void> {
    const reused = this.input.reuse?.[node.id];
    if (reused && runStatus === undefined) {
      this.update(node.id, { status: 'succeeded', outputs: reused.outputs, reused: true });
      await this.record([
        { stepId: node.id, matrixKey: '', status: 'succeeded', outputs: reused.outputs, reused: true },
      ]);
      return;
    }
    this.update(node.id, { status: node.kind === 'approval' ? 'waiting' : 'running', startedAt: Date.now() });
    let final: StepStatus;
    try {
      if (node.kind === 'approval') final = await this.approval(node);
      else if (node.matrix) final = await this.matrix(node, runStatus);
      else final = await this.single(node, runStatus);
    } catch (err) {
      if (!isCancellation(err)) throw err;
      final = 'cancelled';
      this.update(node.id, { status: 'cancelled' });
      // a step activity records its own cancellation; approvals, deployments and waits do not
      if (!node.matrix) {
        await CancellationScope.nonCancellable(() =>
          this.record([{ stepId: node.id, matrixKey: '', status: 'cancelled', error: 'cancelled' }]),
        );
      }
    }
    if (final === 'cancelled' && this.runTimedOut) {
      final = 'timed_out';
      const error = 'the run exceeded its timeout';
      this.update(node.id, { status: final, error });
      if (!node.matrix) {
        await CancellationScope.nonCancellable(() =>
          this.record([{ stepId: node.id, matrixKey: '', status: 'timed_out', error }]),
        );
      }
    }
    this.update(node.id, { finishedAt: Date.now() });
    if (final !== 'succeeded' && !node.continueOnError && runStatus === undefined) this.failed = true;
  }

  private async single(node: PlanNode, runStatus?: string): Promise<StepStatus> {
    if (isDeployStep(node)) return this.deploy(node, runStatus);
    const ctx = this.context(runStatus);
    const base = this.launchBase();
    const outcome = await this.semaphore.with(() =>
      runAttempts(node, (attempt) => buildLaunch(base, node, ctx, undefined, '', attempt), node.id),
    );
    if (outcome.ok) {
      this.update(node.id, {
        status: 'succeeded',
        outputs: outcome.result.outputs,
        exitCode: outcome.result.exitCode,
        attempts: outcome.attempts,
      });
      return 'succeeded';
    }
    const { failure } = outcome;
    this.update(node.id, {
      status: failure.status,
      exitCode: failure.exitCode,
      error: failure.message,
      attempts: outcome.attempts,
    });
    // the activity records its own attempts; a failure it never saw (bad template, cancellation before start) is recorded here
    await this.record([
      {
        stepId: node.id,
        matrixKey: '',
        status: failure.status,
        attempt: outcome.attempts,
        error: failure.message,
      },
    ]);
    return failure.status;
  }

  /** kubernetes-deploy: the `deployment` workflow as a child (apply, rollout, rollback), steerable by its updates. */
  private async deploy(node: PlanNode, runStatus?: string): Promise<StepStatus> {
    const at = { stepId: node.id, matrixKey: '' };
    await this.record([{ ...at, status: 'running', attempt: 1 }]);
    let status: StepStatus = 'succeeded';
    let outputs: Record<string, string> = {};
    let error: string | undefined;
    try {
      const { data } = buildLaunch(this.launchBase(), node, this.context(runStatus), undefined, '', 1);
      const input = deploymentInput(node, data, this.input.project);
      const result = await this.semaphore.with(() =>
        executeChild(deployment, {
          workflowId: `${workflowInfo().workflowId}-${node.id}-deploy`,
          args: [input],
          cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
          ...childSummary(`${node.id} deployment`),
        }),
      );
      outputs = { applied: result.applied.map((o) => `${o.kind}/${o.name}`).join(',') };
    } catch (err) {
      if (isCancellation(err)) throw err;
      const failure = classifyAttemptFailure(err);
      status = failure.status;
      error = failure.message;
    }
    this.update(node.id, { status, outputs, error, attempts: 1 });
    await this.record([{ ...at, status, attempt: 1, outputs, error }]);
    return status;
  }

  private async matrix(node: PlanNode, runStatus?: string): Promise<StepStatus> {
    const combos = expandMatrix(node.matrix!);
    const input: Omit<MatrixChunkInput, 'combos' | 'concurrency'> = {
      runId: this.input.runId,
      project: this.input.project,
      node,
      base: {
        project: this.input.project,
        runId: this.input.runId,
        workspaceId: this.input.workspaceId,
        stepId: node.id,
        kind: node.kind === 'uses' ? 'uses' : 'run',
        services: node.services,
      },
      context: this.context(runStatus),
      pipelineEnv: this.pipelineEnv,
      params: this.input.params,
      failFast: !node.continueOnError,
    };
    this.update(node.id, { matrix: { total: combos.length, succeeded: 0, failed: 0 } });
    const tally = await fanOutMatrix(input, combos, this.input.plan.maxParallel, this.semaphore, (t) =>
      this.update(node.id, { matrix: { total: combos.length, succeeded: t.succeeded, failed: t.broken } }),
    );
    const status = matrixStatus(tally);
    this.update(node.id, {
      status,
      outputs: tally.outputs,
      attempts: tally.maxAttempts,
      error: tally.firstError,
      matrix: { total: combos.length, succeeded: tally.succeeded, failed: tally.broken },
    });
    return status;
  }

  private async approval(node: PlanNode): Promise<StepStatus> {
    await this.record([{ stepId: node.id, matrixKey: '', status: 'waiting' }]);
    this.onWaitingChange(true);
    const timeout = node.approval?.timeoutMs;
    const decided = timeout
      ? await condition(() => this.decisions.has(node.id), timeout)
      : (await condition(() => this.decisions.has(node.id)), true);
    this.onWaitingChange(false);
    const decision = this.decisions.get(node.id);
    let status: StepStatus;
    let error: string | undefined;
    if (!decided || !decision) {
      status = 'timed_out';
      error = 'no decision before the approval timeout';
    } else if (decision.decision === 'approve') {
      status = 'succeeded';
    } else {
      status = 'failed';
      error = `rejected by ${decision.by}${decision.comment ? `: ${decision.comment}` : ''}`;
      this.rejected = true;
    }
    this.update(node.id, {
      status,
      error,
      outputs: decision ? { decision: decision.decision, by: decision.by } : {},
    });
    await this.record([
      {
        stepId: node.id,
        matrixKey: '',
        status,
        error,
        outputs: decision ? { decision: decision.decision, by: decision.by } : undefined,
        decision: decision ? { ...decision, at: Date.now() } : undefined,
      },
    ]);
    return status;
  }

  /** Validator of the approval update: only a waiting approval step takes a decision. */
  validateDecision(input: ApprovalInput): void {
    const node = this.node(input.stepId);
    if (!node) throw new Error(`no step ${JSON.stringify(input.stepId)} in this run`);
    if (node.kind !== 'approval') throw new Error(`step ${input.stepId} is not an approval step`);
    if (input.decision !== 'approve' && input.decision !== 'reject')
      throw new Error('decision must be approve or reject');
    const state = this.steps.get(input.stepId)!;
    if (state.status !== 'waiting' || this.decisions.has(input.stepId)) {
      throw new Error(
        `step ${input.stepId} is ${this.decisions.has(input.stepId) ? 'already decided' : state.status}, not waiting for a decision`,
      );
    }
  }

  async decide(input: ApprovalInput): Promise<StepState> {
    this.decisions.set(input.stepId, { decision: input.decision, by: input.by, comment: input.comment });
    this.version++;
    await condition(() => this.steps.get(input.stepId)!.status !== 'waiting');
    return this.steps.get(input.stepId)!;
  }

  /** Marks everything that never ran as cancelled (after cancellation or a run timeout). */
  async settleUnfinished(status: 'cancelled' | 'timed_out'): Promise<void> {
    const records: Omit<StepRecord, 'runId' | 'at'>[] = [];
    for (const node of this.input.plan.nodes) {
      const s = this.steps.get(node.id)!;
      if (s.status === 'pending' || s.status === 'running' || s.status === 'waiting') {
        this.update(node.id, { status });
        if (!node.matrix)
          records.push({ stepId: node.id, matrixKey: '', status: this.steps.get(node.id)!.status });
      }
    }
    if (records.length) await this.record(records);
  }
}
