import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../scripts/validate-pipelines';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'containerops.js');
const EXAMPLES = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join('examples', f));

describe('containerops validate', () => {
  it('passes every example through the real CLI entry point', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(5);
    const run = spawnSync(process.execPath, [BIN, 'validate', ...EXAMPLES], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual(EXAMPLES.map((f) => `${f}: ok`));
  });

  it('prints file:line:col: path: message for each error and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'co-cli-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: containerops/v1\nkind: Pipeline\nname: demo\nsteps:\n  - id: a\n    needs: [b]\n    run: x\n',
    );
    const out: string[] = [];
    const err: string[] = [];
    const code = main(['validate', bad, join(ROOT, EXAMPLES[0]!)], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    expect(code).toBe(1);
    expect(err).toEqual([`${bad}:6:13: steps[0].needs[0]: step "a" needs unknown step "b"`]);
    expect(out).toEqual([`${join(ROOT, EXAMPLES[0]!)}: ok`]);
  });

  it('reports unreadable files and usage errors', () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (l: string) => err.push(l) };
    expect(main(['validate', '/nonexistent/x.yaml'], io)).toBe(1);
    expect(err[0]).toMatch(/^\/nonexistent\/x\.yaml: cannot read: /);
    expect(main(['lint'], io)).toBe(2);
    expect(err[1]).toBe('usage: containerops validate FILE...');
  });
});
