import { execFileSync } from 'node:child_process';
import { runComponent } from '../../test/support/components';

// flake8 runs in the component's image (test/e2e/containers/original-flow.test.ts); on the local
// runtime it needs Debian's flake8 on the worker
const hasFlake8 = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v flake8'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('python-flake8 on the local runtime', () => {
  (hasFlake8 ? it.skip : it)('a worker without flake8 fails the step, naming the program', async () => {
    const { outcome } = await runComponent('python-flake8', { path: '.' });
    expect(outcome.exitCode).not.toBe(0);
    expect(outcome.failure?.message).toMatch(/python-flake8.*needs `flake8` on the worker/);
  });
});
