import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApprovalInput, RunState, StepState } from '../contract';

/** The messages a pipeline run answers: an approver's decision, and its live state. */
export const approvalUpdate = defineUpdate<StepState, [ApprovalInput]>('approval');
export const stateQuery = defineQuery<RunState>('state');
