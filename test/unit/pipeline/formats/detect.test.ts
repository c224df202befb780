import { detectFormat } from '../../../../pipeline/formats/detect';
import { pipelineNameFrom } from '../../../../pipeline/formats/names';
import { parseGhExpression, MAX_EXPR_DEPTH } from '../../../../pipeline/formats/github/expr-parse';

describe('which front end reads a document', () => {
  const github = { on: 'push', jobs: { build: { 'runs-on': 'ubuntu-latest', steps: [] } } };
  const gitlab = { stages: ['build'], build: { script: ['make'] } };
  const flow = { uri: 'a/b/c', stages: [{ type: 'start', name: 'start' }] };

  it('an explicit format wins over everything', () => {
    expect(detectFormat(github, { format: 'native', fileName: '.github/workflows/ci.yml' })).toBe('native');
  });

  it('the file name decides next', () => {
    expect(detectFormat({}, { fileName: '.github/workflows/ci.yaml' })).toBe('github-actions');
    expect(detectFormat({}, { fileName: 'repo/.gitlab-ci.yml' })).toBe('gitlab-ci');
    expect(detectFormat({}, { fileName: 'ci/build.gitlab-ci.yml' })).toBe('gitlab-ci');
  });

  it('then the shape: jobs with on is GitHub, string stages or script jobs GitLab, mapping stages a flow', () => {
    expect(detectFormat(github)).toBe('github-actions');
    expect(detectFormat(gitlab)).toBe('gitlab-ci');
    expect(detectFormat({ build: { script: ['make'] } })).toBe('gitlab-ci');
    expect(detectFormat(flow)).toBe('flow');
    expect(detectFormat({ stages: ['build'], uri: 'a/b/c' })).toBe('flow');
    expect(detectFormat({ apiVersion: 'containerops/v1', kind: 'Pipeline', steps: [] })).toBe('native');
  });
});

describe('pipeline names derived from other formats', () => {
  it('slugs the document name, else the file name', () => {
    expect(pipelineNameFrom('CI / Build & Test', undefined, 'x')).toBe('ci-build-test');
    expect(pipelineNameFrom(undefined, '.github/workflows/Release_2.yml', 'x')).toBe('release-2');
    expect(pipelineNameFrom('123', '.gitlab-ci.yml', 'x')).toBe('gitlab-ci');
    expect(pipelineNameFrom('  ', undefined, 'workflow')).toBe('workflow');
  });
});

describe('the GitHub expression parser is bounded', () => {
  it('rejects nesting past the limit instead of recursing', () => {
    const deep = `${'('.repeat(MAX_EXPR_DEPTH + 2)}true${')'.repeat(MAX_EXPR_DEPTH + 2)}`;
    expect(() => parseGhExpression(deep)).toThrow(/nests deeper/);
    expect(() => parseGhExpression('!'.repeat(5000) + 'true')).toThrow();
    expect(() => parseGhExpression('a'.repeat(5000))).toThrow(/longer than/);
  });
});
