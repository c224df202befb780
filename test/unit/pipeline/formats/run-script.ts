import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  compilePipelineSource,
  evaluateExpression,
  renderTemplate,
  type ExecutionPlan,
  type PlanNode,
} from '../../../../pipeline';
import type { ExpressionContext } from '../../../../pipeline';
import type { SourceOptions } from '../../../../pipeline/formats/detect';

/** Compiles a document in another format; throws with the errors when it does not compile. */
export function compileOther(source: string, options: SourceOptions): ExecutionPlan {
  const result = compilePipelineSource(source, undefined, {}, options);
  if (!result.ok) throw new Error(`expected a valid document, got ${JSON.stringify(result.errors, null, 2)}`);
  return result.plan;
}

export function errorsOfOther(source: string, options: SourceOptions) {
  const result = compilePipelineSource(source, undefined, {}, options);
  if (result.ok) throw new Error('expected the document to be rejected');
  return result.errors;
}

export function nodeOf(plan: ExecutionPlan, id: string): PlanNode {
  const node = [...plan.nodes, ...plan.finally].find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id} in ${plan.nodes.map((n) => n.id).join(', ')}`);
  return node;
}

export interface ScriptRun {
  status: number;
  stdout: string;
  outputs: string;
  workspace: string;
}

/**
 * Runs a plan node's script the way the local runtime does (sh -e -c, in a workspace, with
 * CO_OUTPUTS and its expression variables evaluated against `ctx`): the script itself is real.
 */
export function runNodeScript(
  node: PlanNode,
  ctx: Partial<ExpressionContext> = {},
  env: Record<string, string> = {},
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'co-format-')),
): ScriptRun {
  const full: ExpressionContext = { params: {}, env: {}, run: { id: 'r1', number: 7 }, steps: {}, ...ctx };
  const exprEnv: Record<string, string> = {};
  for (const [name, source] of Object.entries(node.exprEnv)) {
    const value = evaluateExpression(source, full);
    exprEnv[name] =
      typeof value === 'string'
        ? value
        : value === null
          ? ''
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value);
  }
  const nodeEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(node.env)) nodeEnv[name] = renderTemplate(value, full);
  const outputsFile = path.join(workspace, '.co-outputs');
  fs.writeFileSync(outputsFile, '');
  const result = spawnSync('/bin/sh', ['-e', '-c', node.script!], {
    cwd: workspace,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...nodeEnv,
      ...env,
      ...exprEnv,
      CO_OUTPUTS: outputsFile,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    status: result.status ?? -1,
    stdout: `${result.stdout}${result.stderr}`,
    outputs: fs.readFileSync(outputsFile, 'utf8'),
    workspace,
  };
}
