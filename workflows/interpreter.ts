import {
  CancellationScope,
  ChildWorkflowCancellationType,
  condition,
  executeChild,
  isCancellation,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import { deployment } from './deployment';
import { deploymentInput, isDeployStep } from './deploy-step';
import { expandMatrix } from '../pipeline/matrix';
import type { PlanNode } from '../pipeline/plan';
import { chainActivity, recordSteps } from './activities';
import { chainAfter, isPath } from './chains';
import { runAttempts } from './attempts';
import { buildLaunch } from './launch';
import { childSummary } from './child-summary';
import { fanOutMatrix, matrixStatus } from './matrix-fanout';
import { Semaphore } from './semaphore';
import { GraphWalk, RunState } from './run-state';
import {
  classifyAttemptFailure,
  deployWorkflowId,
  type ApprovalInput,
  type ChainCancelledDetails,
  type ChainStep,
  type ChainStepOutcome,
  type PipelineRunInput,
  type StepRecord,
  type StepState,
  type StepStatus,
} from '../contract';
import type { MatrixChunkInput } from './types';

/** The steps a cancelled chain finished before it was cancelled (the activity's cancellation details). */
function chainDone(err: unknown): ChainStepOutcome[] {
  const cancelled = (err as { cause?: { details?: unknown[] } }).cause ?? (err as { details?: unknown[] });
  const details = cancelled.details?.[0] as Partial<ChainCancelledDetails> | undefined;
  return Array.isArray(details?.done) ? details.done : [];
}

/** A read-model record of one step, without what the interpreter adds (run, matrix key, time). */
type StepRecordFields = Omit<StepRecord, 'runId' | 'at' | 'stepId' | 'matrixKey'>;

/** Schedules and records what the run state decides: ready steps start, skipped ones are recorded. */
export class RunInterpreter {
  readonly state: RunState;
  readonly semaphore: Semaphore;
  /** step executions still settling (after cancellation they finish cleaning up) */
  readonly inflight = new Set<Promise<void>>();
  /** the run asked for step chains (`chainSteps`); runs started before chains existed never chain */
  private readonly chains: boolean;

  constructor(
    readonly input: PipelineRunInput,
    private readonly pipelineEnv: Record<string, string>,
    readonly onWaitingChange: (waiting: boolean) => void,
  ) {
    this.state = new RunState(input, pipelineEnv);
    this.semaphore = new Semaphore(input.plan.maxParallel);
    this.chains = input.chainSteps === true && patched('step-chains');
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

  private async record(records: Omit<StepRecord, 'runId' | 'at'>[]): Promise<void> {
    const at = Date.now();
    await recordSteps(records.map((r) => ({ ...r, runId: this.input.runId, at })));
  }

  /** Changes a step and writes that change to the read model in one call (no record: the change stays in the workflow). */
  private async setStep(id: string, patch: Partial<StepState>, record?: StepRecordFields): Promise<void> {
    this.state.update(id, patch);
    if (record) await this.record([{ stepId: id, matrixKey: '', ...record }]);
  }

  /** Runs nodes to completion in dependency order. `finallyPhase` ignores fail-fast and need health. */
  async runGraph(nodes: PlanNode[], runStatus?: string): Promise<void> {
    const walk = new GraphWalk(nodes, this.state);
    // finally steps run whatever came before them: each on its own
    const chainable = this.chains && runStatus === undefined && isPath(nodes);
    while (!walk.done) {
      const seen = this.state.version;
      for (const node of walk.readyNodes()) {
        const skipReason = this.state.skipReason(node, runStatus);
        if (skipReason) {
          await this.setStep(
            node.id,
            { status: 'skipped', error: skipReason },
            { status: 'skipped', error: skipReason },
          );
          continue;
        }
        walk.started(node.id);
        const chain = chainable ? this.chainAt(node, nodes) : [];
        for (const step of chain.slice(1)) walk.claim(step.launch.stepId);
        const execution = (
          chain.length ? this.executeChain(chain, walk) : this.execute(node, runStatus)
        ).finally(() => {
          walk.ended(node.id);
          this.inflight.delete(execution);
          this.state.touch();
        });
        this.inflight.add(execution);
      }
      if (!walk.done) await condition(() => this.state.version !== seen);
    }
  }

  /** Executes one node; never throws except for cancellation. */
  private async execute(node: PlanNode, runStatus?: string): Promise<void> {
    const reused = this.input.reuse?.[node.id];
    if (reused && runStatus === undefined) {
      await this.setStep(
        node.id,
        { status: 'succeeded', outputs: reused.outputs, reused: true },
        { status: 'succeeded', outputs: reused.outputs, reused: true },
      );
      return;
    }
    this.state.update(node.id, {
      status: node.kind === 'approval' ? 'waiting' : 'running',
      startedAt: Date.now(),
    });
    let final: StepStatus;
    try {
      if (node.kind === 'approval') final = await this.approval(node);
      else if (node.matrix) final = await this.matrix(node, runStatus);
      else final = await this.single(node, runStatus);
    } catch (err) {
      if (!isCancellation(err)) throw err;
      final = 'cancelled';
      // a step activity records its own cancellation; approvals, deployments and waits do not
      await CancellationScope.nonCancellable(() =>
        this.setStep(
          node.id,
          { status: 'cancelled' },
          node.matrix ? undefined : { status: 'cancelled', error: 'cancelled' },
        ),
      );
    }
    if (final === 'cancelled' && this.state.runTimedOut) {
      const { status, error } = this.state.cancelledStatus();
      final = status;
      await CancellationScope.nonCancellable(() =>
        this.setStep(node.id, { status, error }, node.matrix ? undefined : { status, error }),
      );
    }
    this.state.finish(node, final, runStatus !== undefined, Date.now());
  }

  /** `head` and the steps that follow it in one chain activity; empty when `head` runs alone. */
  private chainAt(head: PlanNode, path: PlanNode[]): ChainStep[] {
    if (this.input.reuse?.[head.id]) return [];
    const ctx = this.state.context();
    const base = this.launchBase();
    const steps: ChainStep[] = [];
    for (const node of [head, ...chainAfter(head, path, (id) => this.input.reuse?.[id] !== undefined)]) {
      try {
        steps.push({ launch: buildLaunch(base, node, ctx, undefined, '', 1), retry: node.retry });
      } catch {
        break; // a template that does not render fails its step on its own, with its message
      }
    }
    return steps.length > 1 ? steps : [];
  }

  /**
   * Runs a chain in one activity and takes each step's outcome as if it had run alone. Steps
   * after one that did not succeed go back to the walk, which skips them as it would have.
   */
  private async executeChain(chain: ChainStep[], walk: GraphWalk): Promise<void> {
    const ids = chain.map((s) => s.launch.stepId);
    this.state.update(ids[0]!, { status: 'running', startedAt: Date.now() });
    let outcomes: ChainStepOutcome[] = [];
    let ended: { status: StepStatus; error: string } | undefined;
    let cancelled = false;
    try {
      const summary =
        ids.length <= 4 ? ids.join(' → ') : `${ids.slice(0, 3).join(' → ')} → … (${ids.length} steps)`;
      outcomes = (await this.semaphore.with(() => chainActivity(chain, summary)({ steps: chain }))).steps;
    } catch (err) {
      if (!isCancellation(err)) {
        const failure = classifyAttemptFailure(err);
        ended = { status: failure.status, error: failure.message };
      } else {
        cancelled = true;
        outcomes = chainDone(err);
        ended = this.state.runTimedOut
          ? this.state.cancelledStatus()
          : { status: 'cancelled', error: 'cancelled' };
      }
    }
    await CancellationScope.nonCancellable(async () => {
      for (const [i, id] of ids.entries()) {
        const node = this.state.node(id)!;
        const outcome = outcomes[i];
        let final: StepStatus;
        if (outcome?.ok) {
          final = 'succeeded';
          const { outputs, exitCode } = outcome.result;
          this.state.update(id, { status: final, outputs, exitCode, attempts: outcome.attempts });
        } else if (outcome) {
          const { failure, attempts } = outcome;
          final = failure.status;
          const fields = { status: final, exitCode: failure.exitCode, error: failure.message, attempts };
          await this.setStep(id, fields, { status: final, attempt: attempts, error: failure.message });
        } else if (ended && (i === outcomes.length || cancelled)) {
          // the step that was running when the chain ended (cancellation ends the rest too)
          final = ended.status;
          await this.setStep(
            id,
            { status: final, error: ended.error },
            { status: final, error: ended.error },
          );
        } else {
          if (i > 0) walk.release(id);
          continue;
        }
        this.state.finish(node, final, false, Date.now());
        if (i > 0) walk.ended(id);
      }
    });
  }

  private async single(node: PlanNode, runStatus?: string): Promise<StepStatus> {
    if (isDeployStep(node)) return this.deploy(node, runStatus);
    const ctx = this.state.context(runStatus);
    const base = this.launchBase();
    const outcome = await this.semaphore.with(() =>
      runAttempts(node, (attempt) => buildLaunch(base, node, ctx, undefined, '', attempt), node.id),
    );
    if (outcome.ok) {
      this.state.update(node.id, {
        status: 'succeeded',
        outputs: outcome.result.outputs,
        exitCode: outcome.result.exitCode,
        attempts: outcome.attempts,
      });
      return 'succeeded';
    }
    const { failure } = outcome;
    // the activity records its own attempts; a failure it never saw (bad template, cancellation before start) is recorded here
    await this.setStep(
      node.id,
      {
        status: failure.status,
        exitCode: failure.exitCode,
        error: failure.message,
        attempts: outcome.attempts,
      },
      { status: failure.status, attempt: outcome.attempts, error: failure.message },
    );
    return failure.status;
  }

  /** kubernetes-deploy: the `deployment` workflow as a child (apply, rollout, rollback), steerable by its updates. */
  private async deploy(node: PlanNode, runStatus?: string): Promise<StepStatus> {
    await this.record([{ stepId: node.id, matrixKey: '', status: 'running', attempt: 1 }]);
    let status: StepStatus = 'succeeded';
    let outputs: Record<string, string> = {};
    let error: string | undefined;
    try {
      const { data } = buildLaunch(this.launchBase(), node, this.state.context(runStatus), undefined, '', 1);
      const input = deploymentInput(node, data, this.input.project, patched('manifest-nesting-bound'));
      const result = await this.semaphore.with(() =>
        executeChild(deployment, {
          workflowId: deployWorkflowId(workflowInfo().workflowId, node.id),
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
    await this.setStep(
      node.id,
      { status, outputs, error, attempts: 1 },
      { status, attempt: 1, outputs, error },
    );
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
      context: this.state.context(runStatus),
      pipelineEnv: this.pipelineEnv,
      params: this.input.params,
      // failFast/maxParallel come from GitHub's strategy:; plans without them behave as before
      failFast: node.failFast ?? !node.continueOnError,
    };
    this.state.update(node.id, { matrix: { total: combos.length, succeeded: 0, failed: 0 } });
    const width = Math.min(node.maxParallel ?? Infinity, this.input.plan.maxParallel);
    const tally = await fanOutMatrix(input, combos, width, this.semaphore, (t) =>
      this.state.update(node.id, {
        matrix: { total: combos.length, succeeded: t.succeeded, failed: t.broken },
      }),
    );
    const status = matrixStatus(tally);
    // each combination's activity recorded itself
    this.state.update(node.id, {
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
    const hasDecision = () => this.state.decisions.has(node.id);
    const decidedInTime = timeout
      ? await condition(hasDecision, timeout)
      : (await condition(hasDecision), true);
    this.onWaitingChange(false);
    const { status, error, decision } = this.state.approvalOutcome(node.id, decidedInTime);
    const outputs = decision ? { decision: decision.decision, by: decision.by } : undefined;
    await this.setStep(
      node.id,
      { status, error, outputs: outputs ?? {} },
      { status, error, outputs, decision: decision ? { ...decision, at: Date.now() } : undefined },
    );
    return status;
  }

  /** Validator of the approval update: only a waiting approval step takes a decision. */
  validateDecision(input: ApprovalInput): void {
    this.state.validateDecision(input);
  }

  async decide(input: ApprovalInput): Promise<StepState> {
    this.state.decide(input);
    await condition(() => this.state.step(input.stepId).status !== 'waiting');
    return this.state.step(input.stepId);
  }

  /** Marks everything that never ran as cancelled (after cancellation or a run timeout). */
  async settleUnfinished(status: 'cancelled' | 'timed_out'): Promise<void> {
    const settled = this.state.settleUnfinished(status);
    // matrix combinations record their own ends
    const records = settled.filter((n) => !n.matrix).map((n) => ({ stepId: n.id, matrixKey: '', status }));
    if (records.length) await this.record(records);
  }
}
