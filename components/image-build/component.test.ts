import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runComponent } from '../../test/support/components';

describe('image-build on the local runtime (buildah on the host)', () => {
  it('a Dockerfile that does not build fails the step with buildah’s error and no digest', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'co-image-build-'));
    fs.writeFileSync(path.join(workspace, 'Dockerfile'), '# no FROM: nothing to build on\nRUN true\n');
    try {
      const { outcome, lines } = await runComponent(
        'image-build',
        { destination: '127.0.0.1:1/p/never:1', 'tls-verify': 'false' },
        { workspace },
      );
      expect(outcome.exitCode).not.toBe(0);
      expect(lines.join('\n')).toMatch(/building 127\.0\.0\.1:1\/p\/never:1[\s\S]*no FROM statement found/);
      expect(outcome.outputs?.digest).toBeUndefined();
    } finally {
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });
});
