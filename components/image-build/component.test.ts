import { runComponent } from '../../test/support/components';

describe('image-build on the local runtime', () => {
  it('fails at once with a clear error naming the runtime it needs', async () => {
    const { outcome, lines } = await runComponent('image-build', { destination: 'registry.example.org/a:1' });
    expect(outcome.exitCode).toBe(64);
    expect(lines.join('\n')).toContain(
      "image-build runs kaniko inside its own image: give the step 'runtime: kubernetes'",
    );
  });
});
