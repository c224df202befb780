/**
 * compile: the largest documents the compiler accepts (2,000 steps), timed on this thread and
 * four at once through the API's compile pool (compiler processes). One JSON line per figure.
 */
import { compileOffThread } from '../api/pipelines/compile-pool';
import { compilePipelineSource } from '../pipeline';

const emit = (figure: Record<string, unknown>) => console.log(JSON.stringify(figure));
const HEADER = 'apiVersion: containerops/v1\nkind: Pipeline\nname: big\nsteps:\n';

/** `n` steps, each needing the `fanIn` before it and reading the first one's output. */
function fanIn(n: number, k: number): string {
  const steps = Array.from({ length: n }, (_, i) => {
    const needs = Array.from({ length: Math.min(i, k) }, (_, j) => `s${i - 1 - j}`);
    const run = i ? 'echo ${{ steps.s0.outputs.x }}' : 'echo 0';
    return `  - id: s${i}\n    run: ${run}\n${needs.length ? `    needs: [${needs.join(', ')}]\n` : ''}`;
  });
  return HEADER + steps.join('');
}

/** A flow of `n` jobs sharing one name, each subscribing to that name (the ambiguous case). */
function sameNameFlow(n: number): string {
  const job = '          - { name: j, type: component, endpoint: x/y:1, subscriptions: [ { "j[K]": V } ] }\n';
  return `uri: a/b/c\nstages:\n  - type: normal\n    name: s\n    actions:\n      - name: a\n        jobs:\n${job.repeat(n)}`;
}

function timed(label: string, source: string): void {
  const start = performance.now();
  const result = compilePipelineSource(source);
  emit({
    bench: 'compile',
    case: label,
    bytes: source.length,
    ok: result.ok,
    ms: Math.round(performance.now() - start),
  });
}

export async function main(): Promise<void> {
  compilePipelineSource(fanIn(10, 1)); // load and warm the compiler first
  timed('2,000 steps, each needing 1 before it', fanIn(2_000, 1));
  timed('2,000 steps, each needing 20 before it', fanIn(2_000, 20));
  timed('flow of 2,000 jobs of one name', sameNameFlow(2_000));
  const source = fanIn(2_000, 5);
  await compileOffThread(source); // the compiler processes start
  const start = performance.now();
  const answered = await Promise.all(
    [1, 2, 3, 4].map(() => compileOffThread(source).then(() => Math.round(performance.now() - start))),
  );
  emit({ bench: 'compile', case: 'four 2,000-step documents at once, pool', answeredMs: answered });
}
