import { checkArtifacts } from './artifact-paths';
import { checkCache } from './cache';
import { checkSidecars } from './sidecars';
import { MAX_ERRORS, type PathSegment, type PipelineError } from './errors';
import { checkExpression, findTemplates, unwrapCondition, type ExpressionScope } from './expressions';
import { ancestorIndex, findCycles } from './graph';
import { MAX_MATRIX_COMBINATIONS, matrixSize } from './matrix';
import type { SourceMap } from './parse';
import type { PipelineDocument, StepDocument } from './schema';
import { secretNameOf } from './secrets';

/**
 * The project's secret names, when known (the API passes them; the CLI cannot). Services are
 * checked when a step runs: a pipeline may be saved before its cluster is registered.
 */
export interface ProjectNames {
  secrets?: readonly string[];
}

/** Where `${{ secrets.NAME }}` and whole secret params may appear, and which names exist. */
interface SecretUse {
  secrets?: ReadonlySet<string>;
  /** false in `run:`, where a secret must come through env: */
  allowSecrets: boolean;
}
import { validateTriggers } from './triggers';

/** Fields an approval step may set; everything else is about running a container or script. */
const APPROVAL_FIELDS = new Set(['id', 'needs', 'if', 'approval', 'continueOnError']);
const USES_PATTERN = /^([a-z0-9][a-z0-9._/-]*)(?:@([^@\s]+))?$/;

interface StepRef {
  step: StepDocument;
  path: PathSegment[];
  isFinally: boolean;
}

/** Graph facts shared by validation and compilation. */
export interface StepGraph {
  refs: StepRef[];
  needs: Map<string, string[]>;
  mainIds: string[];
  finallyIds: string[];
  ancestors(id: string): { has(candidate: string): boolean };
  /** First step declared with each id. */
  byId: ReadonlyMap<string, StepRef>;
}

export function stepGraph(doc: PipelineDocument): StepGraph {
  const refs: StepRef[] = [
    ...doc.steps.map((step, i) => ({ step, path: ['steps', i], isFinally: false })),
    ...(doc.finally ?? []).map((step, i) => ({ step, path: ['finally', i], isFinally: true })),
  ];
  const needs = new Map<string, string[]>();
  for (const { step } of refs) if (!needs.has(step.id)) needs.set(step.id, step.needs ?? []);
  const mainIds = doc.steps.map((s) => s.id);
  const finallyIds = (doc.finally ?? []).map((s) => s.id);
  const finallySet = new Set(finallyIds);
  const mainSet = new Set(mainIds);
  const index = ancestorIndex([...needs.keys()], needs);
  const byId = new Map<string, StepRef>();
  for (const ref of refs) if (!byId.has(ref.step.id)) byId.set(ref.step.id, ref);
  return {
    refs,
    needs,
    mainIds,
    finallyIds,
    byId,
    ancestors(id) {
      // Finally steps run after every main step, so they may read any of them.
      const isFinally = finallySet.has(id);
      return { has: (candidate) => (isFinally && mainSet.has(candidate)) || index.has(id, candidate) };
    },
  };
}

/** Semantic rules the schema cannot express; every error, in no particular order. */
export function validatePipeline(
  doc: PipelineDocument,
  map: SourceMap,
  names: ProjectNames = {},
): PipelineError[] {
  const errors: PipelineError[] = [];
  const err = (path: PathSegment[], message: string) => errors.push(map.error(path, message));
  const graph = stepGraph(doc);

  const paramNames = new Set<string>();
  const secretParams = new Set((doc.params ?? []).filter((p) => p.secret).map((p) => p.name));
  (doc.params ?? []).forEach((p, i) => {
    if (paramNames.has(p.name)) err(['params', i, 'name'], `duplicate param "${p.name}"`);
    paramNames.add(p.name);
    if (typeof p.default === 'string' && p.default.includes('${{')) {
      err(['params', i, 'default'], 'expressions are not allowed in param defaults');
    }
  });

  checkIds(graph, map, errors);
  checkNeeds(graph, map, errors);
  for (const ref of graph.refs) checkStep(ref, graph, err);
  const secrets = names.secrets ? new Set(names.secrets) : undefined;

  const stepIds = new Set(graph.needs.keys());
  const scopeFor = (ref?: StepRef): ExpressionScope => ({
    stepId: ref?.step.id,
    params: paramNames,
    stepIds,
    ancestors: ref ? graph.ancestors(ref.step.id) : new Set(),
    matrixAxes: ref?.step.matrix ? new Set(Object.keys(ref.step.matrix)) : undefined,
    isFinally: ref?.isFinally ?? false,
    secretParams,
  });
  for (const [key, value] of Object.entries(doc.env ?? {})) {
    checkTemplates(['env', key], value, scopeFor(), map, errors, { secrets, allowSecrets: true });
  }
  for (const ref of graph.refs) checkStepExpressions(ref, scopeFor(ref), map, errors, secrets);
  if (doc.on) validateTriggers(doc.on, paramNames, doc.name, err);
  if (doc.concurrency) {
    checkTemplates(['concurrency', 'group'], doc.concurrency.group, scopeFor(), map, errors);
  }
  return errors;
}

type Report = (path: PathSegment[], message: string) => void;

function checkIds(graph: StepGraph, map: SourceMap, errors: PipelineError[]): void {
  const first = new Map<string, StepRef>();
  for (const ref of graph.refs) {
    const prior = first.get(ref.step.id);
    if (!prior) {
      first.set(ref.step.id, ref);
      continue;
    }
    const line = map.locate([...prior.path, 'id']).line;
    errors.push(
      map.error([...ref.path, 'id'], `duplicate step id "${ref.step.id}" (first declared on line ${line})`),
    );
  }
}

function checkNeeds(graph: StepGraph, map: SourceMap, errors: PipelineError[]): void {
  const finallyIds = new Set(graph.finallyIds);
  const index = new Map<string, StepRef>();
  for (const ref of graph.refs) if (!index.has(ref.step.id)) index.set(ref.step.id, ref);
  for (const ref of graph.refs) {
    const seen = new Set<string>();
    (ref.step.needs ?? []).forEach((need, j) => {
      const path = [...ref.path, 'needs', j];
      if (seen.has(need)) errors.push(map.error(path, `duplicate need "${need}"`));
      seen.add(need);
      if (!index.has(need)) {
        errors.push(map.error(path, `step "${ref.step.id}" needs unknown step "${need}"`));
      } else if (!ref.isFinally && finallyIds.has(need)) {
        errors.push(
          map.error(
            path,
            `step "${ref.step.id}" needs finally step "${need}"; finally steps run after all main steps`,
          ),
        );
      }
    });
  }
  for (const cycle of findCycles([...graph.needs.keys()], graph.needs)) {
    const ref = index.get(cycle[0]!)!;
    const j = (ref.step.needs ?? []).indexOf(cycle[1]!);
    errors.push(map.error([...ref.path, 'needs', j], `dependency cycle: ${cycle.join(' -> ')}`));
  }
}

function checkStep({ step, path, isFinally }: StepRef, graph: StepGraph, err: Report): void {
  const kinds = (['uses', 'run', 'approval'] as const).filter((k) => step[k] !== undefined);
  if (kinds.length !== 1) {
    err(
      path,
      kinds.length === 0
        ? `step "${step.id}" needs exactly one of uses, run or approval`
        : `step "${step.id}" sets ${kinds.join(' and ')}; use exactly one of uses, run or approval`,
    );
  }
  if (step.approval !== undefined) {
    for (const key of Object.keys(step)) {
      if (!APPROVAL_FIELDS.has(key)) err([...path, key], `approval step "${step.id}" may not set "${key}"`);
    }
  }
  if (step.uses !== undefined) {
    if (!USES_PATTERN.test(step.uses)) {
      err(
        [...path, 'uses'],
        `uses must be a component name with an optional @version range, e.g. git-clone@1`,
      );
    }
    if (step.image !== undefined) {
      err([...path, 'image'], `step "${step.id}" uses a component, which brings its own image; remove image`);
    }
  }
  if (step.pod !== undefined && step.runtime !== 'kubernetes') {
    err([...path, 'pod'], `pod settings require runtime: kubernetes`);
  }
  if (step.matrix !== undefined) checkMatrix(step.matrix, path, err);
  checkArtifacts(step, path, err);
  (step.artifacts?.in ?? []).forEach((input, j) => {
    const at = [...path, 'artifacts', 'in', j, 'from'];
    const producer = graph.byId.get(input.from);
    if (!producer || producer.isFinally) {
      err(at, `artifact "${input.name}" comes from unknown step "${input.from}"`);
    } else if (!graph.ancestors(step.id).has(input.from) && !isFinally) {
      err(
        at,
        `step "${step.id}" takes artifact "${input.name}" from "${input.from}", which is not among its needs (direct or transitive)`,
      );
    } else if (!(producer.step.artifacts?.out ?? []).some((o) => o.name === input.name)) {
      err(at, `step "${input.from}" has no output artifact "${input.name}"`);
    }
  });
  const noTemplates: [PathSegment[], unknown][] = [
    [[...path, 'uses'], step.uses],
    [[...path, 'services'], step.services],
    [[...path, 'artifacts'], step.artifacts],
    [[...path, 'pod'], step.pod],
    [[...path, 'matrix'], step.matrix],
    [[...path, 'approval'], step.approval],
    [[...path, 'cache', 'paths'], step.cache?.paths],
  ];
  for (const [at, value] of noTemplates) forbidTemplates(at, value, err);
}

/** Every axis has values, none repeated, and the combinations stay within the limit. */
function checkMatrix(matrix: NonNullable<StepRef['step']['matrix']>, path: PathSegment[], err: Report): void {
  const axes = Object.entries(matrix);
  if (axes.length === 0) err([...path, 'matrix'], 'matrix needs at least one axis');
  for (const [axis, values] of axes) {
    if (values.length === 0) err([...path, 'matrix', axis], `matrix axis "${axis}" has no values`);
    const seen = new Set(values.map(String));
    if (seen.size !== values.length) err([...path, 'matrix', axis], `matrix axis "${axis}" repeats a value`);
  }
  if (matrixSize(matrix) > MAX_MATRIX_COMBINATIONS) {
    err([...path, 'matrix'], `matrix expands to more than ${MAX_MATRIX_COMBINATIONS} combinations`);
  }
}

function forbidTemplates(path: PathSegment[], value: unknown, err: Report): void {
  if (typeof value === 'string') {
    if (value.includes('${{'))
      err(path, `expressions are not allowed here (only in run, image, with, env and if)`);
  } else if (Array.isArray(value)) value.forEach((v, i) => forbidTemplates([...path, i], v, err));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) forbidTemplates([...path, k], v, err);
  }
}

function checkStepExpressions(
  ref: StepRef,
  scope: ExpressionScope,
  map: SourceMap,
  errors: PipelineError[],
  secrets: ReadonlySet<string> | undefined,
): void {
  const { step, path } = ref;
  const inRun: SecretUse = { secrets, allowSecrets: false };
  if (step.if !== undefined) {
    const { source, offset } = unwrapCondition(step.if);
    for (const p of checkExpression(source, scope)) {
      errors.push(
        map.error([...path, 'if'], p.message, map.locateInString([...path, 'if'], offset + p.offset)),
      );
    }
  }
  if (step.run !== undefined) checkTemplates([...path, 'run'], step.run, scope, map, errors, inRun);
  if (step.image !== undefined) checkTemplates([...path, 'image'], step.image, scope, map, errors);
  for (const field of ['with', 'env'] as const) {
    for (const [key, value] of Object.entries(step[field] ?? {})) {
      checkTemplates([...path, field, key], value, scope, map, errors, { secrets, allowSecrets: true });
    }
  }
  if (step.cache !== undefined) {
    const err = (at: PathSegment[], message: string) => errors.push(map.error(at, message));
    checkCache(step.cache, path, err, (at, v) => checkTemplates(at, v, scope, map, errors));
  }
  if (step.sidecars !== undefined) {
    checkSidecars(step.sidecars, step, path, (at, message) => errors.push(map.error(at, message)));
  }
}

function checkTemplates(
  path: PathSegment[],
  value: unknown,
  scope: ExpressionScope,
  map: SourceMap,
  errors: PipelineError[],
  use?: SecretUse,
): void {
  if (typeof value !== 'string') return;
  const { templates, problems } = findTemplates(value);
  // locating an error costs a scan of its string: past the cap, stop (linear, not quadratic)
  for (const p of problems) {
    if (errors.length > MAX_ERRORS) return;
    errors.push(map.error(path, p.message, map.locateInString(path, p.offset)));
  }
  for (const t of templates) {
    if (errors.length > MAX_ERRORS) return;
    const at = () => map.locateInString(path, t.sourceStart);
    const secret = use?.allowSecrets ? secretNameOf(t.source) : undefined;
    if (secret !== undefined) {
      if (use?.secrets && !use.secrets.has(secret))
        errors.push(map.error(path, `unknown secret "${secret}" in this project`, at()));
      continue;
    }
    // a secret param passes through whole (as a reference the step activity resolves), never computed on
    const param = /^params\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(t.source)?.[1];
    if (use && param !== undefined && scope.secretParams?.has(param)) continue;
    for (const p of checkExpression(t.source, scope)) {
      errors.push(map.error(path, p.message, map.locateInString(path, t.sourceStart + p.offset)));
    }
  }
}
