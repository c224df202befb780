import fc from 'fast-check';
import { apiRoutes } from '../../api/routes';
import type { ApiDeps } from '../../api/deps';
import type { RouteDef } from '../../api/http/route';
import { ADMIN_TOKEN, startStack, type Stack } from '../support/stack';
import { createPipeline, createProject, trigger } from '../support/runs';

/**
 * Hostile requests to every route of the route table: 0 x 5xx, 0 hangs, problem+json on every
 * error. Bounded here (FUZZ_RUNS, default 300); `npm run fuzz` sends 10,000.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
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
      junk,
    ),
    { freq: 2 },
  ),
  token: fc.oneof(fc.constant(ADMIN_TOKEN), fc.constant(null), headerValue),
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

describe('fuzzing every route of the route table', () => {
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
          if (r.accept) headers.accept = r.accept;
          if (r.lastEventId) headers['last-event-id'] = r.lastEventId;
          const withBody = r.body && !['GET', 'HEAD'].includes(method);
          if (withBody) headers['content-type'] = r.body!.type;
          if (withBody && r.encoding) headers['content-encoding'] = r.encoding;
          const what = `${method} ${path}${query}`;
          sent++;
          let res: Response;
          const abort = AbortSignal.timeout(HANG_MS);
          try {
            res = await fetch(`${stack.url}${path}${query}`, {
              method,
              headers,
              body: withBody ? r.body!.data : undefined,
              signal: abort,
            });
          } catch (err) {
            failures.push(`${what}: no answer (${(err as Error).name})`);
            return;
          }
          const type = res.headers.get('content-type') ?? '';
          // a stream stays open by design: its headers arriving is the answer
          const text = type.startsWith('text/event-stream')
            ? (await res.body?.cancel(), '')
            : await res.text();
          if (res.status >= 500) failures.push(`${what}: ${res.status} ${text.slice(0, 200)}`);
          else if (res.status >= 400 && method !== 'HEAD') {
            if (!type.startsWith('application/problem+json'))
              failures.push(`${what}: ${res.status} as ${type}`);
            else if ((JSON.parse(text) as { status?: number }).status !== res.status)
              failures.push(`${what}: problem status differs from ${res.status}`);
          }
        }),
        { numRuns: RUNS, interruptAfterTimeLimit: RUNS * 1000 },
      );
      expect(failures).toEqual([]);
      expect(sent).toBe(RUNS);
    },
    RUNS * 1000 + 60_000,
  );
});
