import path from 'node:path';

/**
 * Options of every workflow bundle (the prebuilt one, the worker's own, the tests'). Preloaded
 * modules are evaluated once per workflow thread and shared, frozen, by every cached workflow;
 * the rest of the bundle is evaluated again for each one. Expression evaluation (the CEL library,
 * ~4 MB of heap and tens of milliseconds to evaluate, and its environment) was per workflow: 4 MB
 * for each chunk of a matrix and the slowest part of starting a run. Named by path: webpack drops
 * a bare `require('@bufbuild/cel')` (its package has no side effects). Only modules whose state
 * is a pure cache (parsed programs by source) belong here.
 */
export const workflowBundlerOptions = {
  preloadModules: [path.resolve(__dirname, '../pipeline/evaluate')],
};
