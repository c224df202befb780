import type { PlanNode } from '../pipeline/plan';
import { isDeployStep } from './deploy-step';

/**
 * Step chains: in a linear pipeline, consecutive plain steps run in one activity, so a step costs
 * a process and a database write instead of a workflow round trip. Only a path qualifies (one
 * root, every step needed by at most one other): nothing runs beside a chain, so fail-fast and
 * `maxParallel` mean what they mean without chains.
 */
export function isPath(nodes: PlanNode[]): boolean {
  if (nodes.length < 2) return false;
  const needed = new Set<string>();
  let roots = 0;
  for (const node of nodes) {
    if (node.needs.length > 1) return false;
    if (node.needs.length === 0) roots++;
    for (const need of node.needs) {
      if (needed.has(need)) return false;
      needed.add(need);
    }
  }
  return roots === 1;
}

/** A step the chain activity can run: an ordinary process or pod, with its own retries. */
function isPlain(node: PlanNode): boolean {
  return node.kind !== 'approval' && !node.matrix && !isDeployStep(node) && !node.continueOnError;
}

const TEMPLATE_READING_STEPS = /\$\{\{(?:(?!\}\}).)*\bsteps\b/s;

/** Whether a step's templates read other steps' outputs or status (known only once they ran). */
function readsSteps(node: PlanNode): boolean {
  if (Object.values(node.exprEnv).some((source) => /\bsteps\b/.test(source))) return true;
  const cacheKeys = node.cache ? [node.cache.key, ...node.cache.restoreKeys] : [];
  const templates = [...Object.values(node.env), ...Object.values(node.with), node.image ?? '', ...cacheKeys];
  return templates.some((t) => TEMPLATE_READING_STEPS.test(t));
}

/**
 * The steps that follow `head` in its chain (empty: `head` runs alone). The head's own `if` and
 * templates were decided before it starts; a follower must need nothing decided during the chain.
 */
export function chainAfter(head: PlanNode, path: PlanNode[], reused: (id: string) => boolean): PlanNode[] {
  if (!isPlain(head)) return [];
  const neededBy = new Map<string, PlanNode>();
  for (const node of path) for (const need of node.needs) neededBy.set(need, node);
  const followers: PlanNode[] = [];
  for (let next = neededBy.get(head.id); next; next = neededBy.get(next.id)) {
    if (!isPlain(next) || next.if || reused(next.id) || next.runtime !== head.runtime || readsSteps(next))
      break;
    followers.push(next);
  }
  return followers;
}
