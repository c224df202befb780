/** The pipeline DSL: parse, validate and compile pipeline YAML; evaluate expressions. Pure. */
export { compilePipelineSource, type CompileResult } from './compile';
export type { PipelineError } from './errors';
export {
  executionPlanSchema,
  planNodeSchema,
  validatePlan,
  type ExecutionPlan,
  type PlanNode,
  type PlanPod,
} from './plan';
export {
  evaluateCondition,
  evaluateExpression,
  renderTemplate,
  ExpressionError,
  type ExpressionContext,
} from './evaluate';
export { expandMatrix, matrixKey, MAX_MATRIX_COMBINATIONS } from './matrix';
export { parseDuration } from './duration';
export { pipelineJsonSchema, pipelineSchema, type PipelineDocument, type StepDocument } from './schema';
export { flowSchema, type FlowDocument } from './flow-schema';
export {
  componentSchema,
  README_MAX_CHARS,
  parseComponentSource,
  inputEnvName,
  literalProblem,
  canonicalJson,
  inputText,
  type ComponentSpec,
  type ComponentInput,
} from './component';
export { resolveRange, inputValues, type CatalogSnapshot, type CatalogVersion } from './uses';
export type { TriggerContext } from './trigger-context';
export { cronProblem, OVERLAP_POLICIES, type PlanConcurrency, type PlanTriggers } from './triggers';
