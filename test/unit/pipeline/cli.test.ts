import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';

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
    expect(err[1]).toBe('containerops: unknown command "lint"');
    expect(err[2]).toBe('usage: containerops <command> [arguments]');
  });

  it.each([['--help'], ['help'], ['-h']])('prints the commands for %s and exits 0', (flag) => {
    const run = spawnSync(process.execPath, [BIN, flag], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^usage: containerops <command>/);
    expect(run.stdout).toMatch(/^ {2}validate FILE\.\.\./m);
  });
});

describe('containerops validate on real ContainerOps flows (test/fixtures/seed-flows)', () => {
  const DIR = join('test', 'fixtures', 'seed-flows');
  const files = readdirSync(join(ROOT, DIR)).filter((f) => /\.ya?ml$/.test(f));
  const NOT_YAML = 'PR663__demo__serviceComb__workflow.yml';
  const run = spawnSync(process.execPath, [BIN, 'validate', ...files.map((f) => join(DIR, f))], {
    cwd: ROOT,
    encoding: 'utf8',
  });

  it('validates every file that is valid YAML, with warnings for what the original ignored', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    const ok = run.stdout.trim().split('\n');
    expect(ok.sort()).toEqual(
      files
        .filter((f) => f !== NOT_YAML)
        .map((f) => expect.stringMatching(new RegExp(`^${join(DIR, f).replace(/\./g, '\\.')}: ok`)))
        .sort(),
    );
    expect(run.stderr).toContain(
      `${join(DIR, 'cncf-demo-runtime.yaml')}:46:13: warning: stages[1].actions[0].jobs[0].status: "status" is run state the original engine wrote back; ignored`,
    );
    expect(run.stderr).toContain(
      `${join(DIR, 'component__ctest__ci-component.yml')}:52:8: warning: stages[1].actions[2]: empty action entry; skipped`,
    );
  });

  it('locates the file that is not valid YAML at file:line:col and exits 1', () => {
    expect(run.status).toBe(1);
    const errors = run.stderr.split('\n').filter((l) => !l.includes(': warning: ') && l !== '');
    expect(errors).toEqual([`${join(DIR, NOT_YAML)}:47:7: All sequence items must start at the same column`]);
  });

  it('exits 0 when only warnings remain', () => {
    const valid = files.filter((f) => f !== NOT_YAML).map((f) => join(DIR, f));
    const out: string[] = [];
    const err: string[] = [];
    expect(
      main(['validate', ...valid.map((f) => join(ROOT, f))], {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      }),
    ).toBe(0);
    expect(out).toContain(`${join(ROOT, DIR, 'cncf-demo-runtime.yaml')}: ok (10 warnings)`);
    expect(err.every((l) => /^\S+:\d+:\d+: warning: /.test(l))).toBe(true);
  });
});
