import { readFileSync } from 'node:fs';
import { compilePipelineSource } from '../pipeline';
const dir = 'test/fixtures/formats/gitlab/';
const r = compilePipelineSource(readFileSync(dir + '.gitlab-ci.yml', 'utf8'), undefined, {}, { fileName: '.gitlab-ci.yml', files: { 'ci/templates.yml': readFileSync(dir + 'ci/templates.yml', 'utf8') } });
if (!r.ok) console.log(r.errors); else console.log(JSON.stringify(r.plan.nodes.map((n) => ({ id: n.id, needs: n.needs, if: n.if, matrix: n.matrix, env: n.env, image: n.image, art: n.artifacts, kind: n.kind, retry: n.retry.attempts, t: n.timeoutMs })), null, 1), r.plan.finally.map((n) => [n.id, n.needs, n.if]));
