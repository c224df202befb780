import fc from 'fast-check';
import { apiRoutes } from '../../api/routes';
import type { ApiDeps } from '../../api/deps';
import type { RouteDef } from '../../api/http/route';
import { ADMIN_TOKEN, startStack, type Stack } from '../support/stack';
import { createPipeline, createProject, trigger } from '../support/runs';
import {
  bigBody,
  deepBody,
  DEEPEST,
  oddAuthorization,
  oddExpect,
  oddNumber,
  send,
  type Answer,
} from './hostile';

/**
 * Hostile requests to every route of the route table: 0 x 5xx, 0 hangs, problem+json on every
 * error, the process alive and /readyz answering after. Bounded here (FUZZ_RUNS, default 300);
 * `npm run fuzz` sends 10,000. Seeded (FUZZ_SEED, printed on failure) so a failure reproduces.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 22);
/** A request still unanswered after this is a hang (the server answers in milliseconds). */
const HANG_MS = 15_000;

let stack: Stack;
const real: Record<string, string[]> = {};
beforeAll(async () => {
  stack = await startStack({
    worker: false,
    // every request from its own address and no per-token limit: the fuzz reaches the handlers
    config: { CO_RATE_LIMIT_PER_MINUTE: '100000000', CO_TRUST_PROXY: 'loopback' },
  });
  const project = await createProject(stack, 'fuzz');
  await createPipeline(
    stack,
    project,
    'apiVersion: containerops/v1\nkind: Pipeline\nname: fz\nparams:\n  - { name: p, default: x }\nsteps:\n  - { id: a, run: "true" }\n',
  );
  const run = await trigger(stack, project, 'fz');
  Object.assign(real, { project: [project], name: ['fz'], run: [run.id, '1'], step: ['a'] });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const routes = apiRoutes({} as ApiDeps);

const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '%',
    '%ff',
    '%E0%A4%A',
    '..',
    '%2e%2e%2f',
    '%00',
    'a'.repeat(300),
    '__proto__',
    'constructor',
  ),
  fc.stringMatching(/^[a-z0-9-]{1,20}$/),
);
const encode = (s: string) => (/^%|%[0-9a-z]?$|%[^0-9a-f]/i.test(s) ? s : encodeURIComponent(s));

/** What may travel in a header (fetch refuses control characters before sending). */
const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,80}$/);

const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({ name: junk, description: junk, role: junk, params: fc.dictionary(junk, junk, { maxKeys: 3 }) }),
  fc.record({ decision: fc.constantFrom('approve', 'reject', 'maybe'), action: junk, from: junk }),
);
const body = fc.oneof(
  { arbitrary: deepBody, weight: 2 },
  { arbitrary: bigBody, weight: 1 },
  jsonBody.map((v) => ({ type: 'application/json', data: JSON.stringify(v) as string | Uint8Array })),
  fc.string({ maxLength: 300 }).map((s) => ({ type: 'application/yaml', data: s as string | Uint8Array })),
  fc
    .constantFrom(
      'apiVersion: containerops/v1\nkind: Pipeline\nname: fz\nsteps: [{id: a, run: "true"}]\n',
      '{"name": ',
      '[1,2',
    )
    .map((s) => ({ type: 'application/json', data: s as string | Uint8Array })),
  fc
    .uint8Array({ maxLength: 200 })
    .map((b) => ({ type: 'application/octet-stream', data: b as string | Uint8Array })),
);

/** One request in eight carries it: the rest still reach the handlers. */
const rarely = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(null), weight: 7 }, { arbitrary: arb, weight: 1 });

const request = fc.record({
  route: fc.constantFrom(...routes),
  params: fc.dictionary(
    fc.constantFrom('project', 'name', 'run', 'step', 'user', 'team', 'member', 'id'),
    junk,
  ),
  useReal: fc.boolean(),
  method: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), { freq: 4 }),
  query: fc.option(
    fc.dictionary(
      fc.constantFrom('limit', 'cursor', 'status', 'pipeline', 'attempt', 'follow', 'matrix', 'timestamps'),
      fc.oneof(junk, oddNumber),
    ),
    { freq: 2 },
  ),
  token: fc.oneof(fc.constant(ADMIN_TOKEN), fc.constant(null), headerValue),
  authorization: rarely(oddAuthorization(ADMIN_TOKEN)),
  expect: rarely(oddExpect),
  body: fc.option(body, { freq: 2 }),
  encoding: fc.option(fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'bogus'), { freq: 5 }),
  accept: fc.option(fc.constantFrom('text/event-stream', 'application/json', '*/*'), { freq: 3 }),
  lastEventId: fc.option(headerValue, { freq: 5 }),
  address: fc.nat(65_535),
});

function pathOf(route: RouteDef, params: Record<string, string>, useReal: boolean): string {
  return `/api/v1${route.path.replace(/:(\w+)/g, (_, name: string) =>
    encode(useReal && real[name] ? real[name]![0]! : (params[name] ?? real[name]?.[0] ?? 'x')),
  )}`;
}

/** The body problem every error answer must be: problem+json with its own status, never a 5xx. */
function problemOf(what: string, res: Answer): string | undefined {
  if (res.status >= 500) return `${what}: ${res.status} ${res.text.slice(0, 200)}`;
  if (res.status < 400) return undefined;
  if (!res.type.startsWith('application/problem+json')) return `${what}: ${res.status} as ${res.type}`;
  if ((JSON.parse(res.text) as { status?: number }).status !== res.status)
    return `${what}: problem status differs from ${res.status}`;
  return undefined;
}

describe('fuzzing every route of the route table', () => {
  it('refuses the deepest documents on every route that reads a body, and stays up (issue 22 item 1)', async () => {
    const failures: string[] = [];
    const writes = routes.filter((r) => ['post', 'put', 'patch'].includes(r.method));
    for (const [shape, deep] of DEEPEST) {
      for (const route of writes) {
        const path = pathOf(route, {}, true);
        const what = `${route.method.toUpperCase()} ${path} with ${shape}`;
        const res = await send(`${stack.url}${path}`, {
          method: route.method.toUpperCase(),
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': deep.type },
          body: deep.data,
          timeoutMs: HANG_MS,
        }).catch((err: Error) => ({ status: 0, type: '', text: err.message }));
        if (res.status === 0) failures.push(`${what}: no answer (${res.text})`);
        const problem = problemOf(what, res);
        if (problem) failures.push(problem);
      }
    }
    expect(failures).toEqual([]);
    const validate = await stack.request(
      'POST',
      `/api/v1/projects/${real.project![0]}/pipelines/validate`,
      DEEPEST[0]![1].data,
    );
    expect(await validate.json()).toMatchObject({
      valid: false,
      errors: [{ message: expect.stringMatching(/nesting is too deep/) }],
    });
    const ready = await send(`${stack.url}/readyz`, { method: 'GET', headers: {}, timeoutMs: HANG_MS });
    expect(ready.status).toBe(200);
  }, 300_000);

  it(
    `answers ${RUNS} hostile requests with no 5xx, no hang and problem+json on every error`,
    async () => {
      const failures: string[] = [];
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const path = pathOf(r.route, r.params, r.useReal);
          const query = r.query ? `?${new URLSearchParams(r.query).toString()}` : '';
          const method = r.method ?? r.route.method.toUpperCase();
          const headers: Record<string, string> = {
            'x-forwarded-for': `10.${(r.address >> 8) & 255}.${r.address & 255}.1`,
          };
          if (r.token) headers.authorization = `Bearer ${r.token}`;
          if (r.authorization) headers.authorization = r.authorization;
          if (r.expect !== null) headers.expect = r.expect;
          if (r.accept) headers.accept = r.accept;
          if (r.lastEventId) headers['last-event-id'] = r.lastEventId;
          const withBody = r.body && !['GET', 'HEAD'].includes(method);
          if (withBody) headers['content-type'] = r.body!.type;
          if (withBody && r.encoding) headers['content-encoding'] = r.encoding;
          const what = `${method} ${path}${query}${r.expect === null ? '' : ` (Expect: ${r.expect})`}`;
          sent++;
          let res: Answer;
          try {
            res = await send(`${stack.url}${path}${query}`, {
              method,
              headers,
              body: withBody ? r.body!.data : undefined,
              timeoutMs: HANG_MS,
            });
          } catch (err) {
            // the server may close a connection it refused early (413) while the body is sent
            if ((err as NodeJS.ErrnoException).code === 'EPIPE') return;
            failures.push(`${what}: no answer (${(err as Error).message})`);
            return;
          }
          const problem = method === 'HEAD' && res.status < 500 ? undefined : problemOf(what, res);
          if (problem) failures.push(problem);
        }),
        { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: RUNS * 1000 },
      );
      const count = (pattern: RegExp) => failures.filter((f) => pattern.test(f)).length;
      console.log(
        `fuzz (seed ${SEED}): ${sent} requests, ${count(/: 5\d\d /)} x 5xx, ${count(/no answer/)} hangs, ` +
          `${count(/ as |status differs/)} errors not problem+json`,
      );
      // still alive, and ready: readiness answers (a hang fails the request, not a clock)
      const ready = await send(`${stack.url}/readyz`, { method: 'GET', headers: {}, timeoutMs: HANG_MS });
      expect(ready.status).toBe(200);
      const whoami = await stack.request('GET', '/api/v1/whoami');
      expect(whoami.status).toBe(200);
      expect(failures).toEqual([]);
      expect(sent).toBe(RUNS);
    },
    RUNS * 1000 + 60_000,
  );
});
