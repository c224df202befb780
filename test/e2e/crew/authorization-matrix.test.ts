import type { ApiDeps } from '../../../api/deps';
import type { Permission, RouteDef } from '../../../api/http/route';
import { apiRoutes } from '../../../api/routes';
import { roleRank, type Role } from '../../../api/crew/roles';
import { startStack, type Stack } from '../../support/stack';
import { createUserWithToken, projectWithRoles, uniqueName, type TestUser } from './actors';

/**
 * Who may call each route, independently of the route table: a route added without a line here,
 * or whose declared permission changes, fails this test until the table is updated on purpose.
 * `ok` is what an allowed caller gets with the dummy ids and (deliberately invalid) bodies below.
 */
type Who = 'public' | 'authenticated' | 'admin' | Role;
interface Expectation {
  permission: Permission;
  who: Who;
  ok: number[];
  body?: unknown;
}

const EXPECTATIONS: Record<string, Expectation> = {
  'POST /dockyard/gc': { permission: 'admin', who: 'admin', ok: [200] },
  'POST /logs/archive': { permission: 'admin', who: 'admin', ok: [200] },
  'GET /projects/:project/runs/:run/artifacts': { permission: { project: 'read' }, who: 'viewer', ok: [404] },
  'GET /projects/:project/runs/:run/artifacts/:name': {
    permission: { project: 'read' },
    who: 'viewer',
    ok: [404],
  },
  'PUT /projects/:project/runs/:run/artifacts/:name': {
    permission: { project: 'write-artifacts' },
    who: 'developer',
    ok: [404],
    body: {},
  },
  'GET /projects/:project/caches': { permission: { project: 'read' }, who: 'viewer', ok: [200] },
  'DELETE /projects/:project/caches/:id': {
    permission: { project: 'delete-artifacts' },
    who: 'maintainer',
    ok: [404],
  },
  'GET /projects/:project/runs/:run/cache': { permission: { project: 'read' }, who: 'viewer', ok: [404] },
  'PUT /projects/:project/runs/:run/cache': {
    permission: { project: 'write-artifacts' },
    who: 'developer',
    ok: [404],
    body: {},
  },
  'GET /projects/:project/runs/:run/outputs/:name': {
    permission: { project: 'read' },
    who: 'viewer',
    ok: [404],
  },
  'PUT /projects/:project/runs/:run/outputs/:name': {
    permission: { project: 'write-artifacts' },
    who: 'developer',
    ok: [404],
    body: {},
  },
  'GET /projects/:project/runs/:run/snapshots/:name': {
    permission: { project: 'read' },
    who: 'viewer',
    ok: [404],
  },
  'PUT /projects/:project/runs/:run/snapshots/:name': {
    permission: { project: 'write-artifacts' },
    who: 'developer',
    ok: [404],
    body: {},
  },
  'POST /projects/:project/runs/:run/artifacts/:name/link': {
    permission: { project: 'read' },
    who: 'viewer',
    ok: [404],
  },
  // the signed link is the credential: anyone holding one may follow it, a made-up one is a 401
  'GET /dockyard/downloads/:token': { permission: 'public', who: 'public', ok: [401] },
  'GET /projects/:project/pipelines/:name/hook/deliveries': {
    permission: { project: 'read' },
    who: 'viewer',
    ok: [404],
  },
  'GET /whoami': { permission: 'authenticated', who: 'authenticated', ok: [200] },
  'POST /users': { permission: 'admin', who: 'admin', ok: [422], body: {} },
  'GET /users': { permission: 'admin', who: 'admin', ok: [200] },
  'GET /users/:user': { permission: 'admin', who: 'admin', ok: [200] },
  'PATCH /users/:user': { permission: 'admin', who: 'admin', ok: [422], body: {} },
  'PUT /users/:user': { permission: 'admin', who: 'admin', ok: [422], body: {} },
  // :user is a bystander here, so only the admin may; self-service is in users-tokens.test.ts
  'POST /users/:user/tokens': { permission: 'authenticated', who: 'admin', ok: [422], body: {} },
  'GET /users/:user/tokens': { permission: 'authenticated', who: 'admin', ok: [200] },
  'DELETE /users/:user/tokens/:id': { permission: 'authenticated', who: 'admin', ok: [404] },
  'POST /teams': { permission: 'admin', who: 'admin', ok: [422], body: {} },
  'GET /teams': { permission: 'admin', who: 'admin', ok: [200] },
  'GET /teams/:team': { permission: 'admin', who: 'admin', ok: [200] },
  'PUT /teams/:team/members/:user': { permission: 'admin', who: 'admin', ok: [200] },
  'DELETE /teams/:team/members/:user': { permission: 'admin', who: 'admin', ok: [204] },
  'POST /projects': { permission: 'authenticated', who: 'authenticated', ok: [422], body: {} },
  'GET /projects': { permission: 'authenticated', who: 'authenticated', ok: [200] },
  'GET /projects/:project': { permission: { project: 'read' }, who: 'viewer', ok: [200] },
  'GET /projects/:project/members': { permission: { project: 'read' }, who: 'viewer', ok: [200] },
  'PUT /projects/:project/members/:member': {
    permission: { project: 'manage-members' },
    who: 'owner',
    ok: [422],
    body: { role: 'emperor' },
  },
  'DELETE /projects/:project/members/:member': {
    permission: { project: 'manage-members' },
    who: 'owner',
    ok: [404],
  },
  'GET /audit': { permission: 'admin', who: 'admin', ok: [200] },
  'GET /projects/:project/audit': { permission: { project: 'read-audit' }, who: 'owner', ok: [200] },
  'POST /projects/:project/pipelines/validate': {
    permission: { project: 'read' },
    who: 'viewer',
    ok: [200, 422],
    body: {},
  },
  'POST /projects/:project/pipelines': {
    permission: { project: 'write-pipelines' },
    who: 'maintainer',
    ok: [422],
    body: {},
  },
  'PUT /projects/:project/pipelines/:name': {
    permission: { project: 'write-pipelines' },
    who: 'maintainer',
    ok: [404, 422],
    body: {},
  },
  'GET /projects/:project/pipelines': { permission: { project: 'read' }, who: 'viewer', ok: [200] },
  'GET /projects/:project/pipelines/:name': { permission: { project: 'read' }, who: 'viewer', ok: [404] },
  'POST /projects/:project/pipelines/:name/runs': {
    permission: { project: 'run' },
    who: 'developer',
    ok: [404, 422],
    body: {},
  },
  'GET /projects/:project/runs': { permission: { project: 'read' }, who: 'viewer', ok: [200] },
  'GET /projects/:project/runs/:run': { permission: { project: 'read' }, who: 'viewer', ok: [404] },
  'POST /projects/:project/runs/:run/cancel': {
    permission: { project: 'cancel' },
    who: 'developer',
    ok: [404],
  },
  'POST /projects/:project/runs/:run/rerun': {
    permission: { project: 'run' },
    who: 'developer',
    ok: [404, 422],
    body: {},
  },
  'POST /projects/:project/runs/:run/steps/:step/approval': {
    permission: { project: 'approve' },
    who: 'developer',
    ok: [404, 422],
    body: {},
  },
  'GET /projects/:project/runs/:run/steps/:step/deployment': {
    permission: { project: 'read' },
    who: 'viewer',
    ok: [404],
  },
  'POST /projects/:project/runs/:run/steps/:step/deployment': {
    permission: { project: 'cancel' },
    who: 'developer',
    ok: [404, 422],
    body: {},
  },
  'GET /projects/:project/runs/:run/steps/:step/logs': {
    permission: { project: 'read' },
    who: 'viewer',
    ok: [404],
  },
  'GET /projects/:project/runs/:run/events': { permission: { project: 'read' }, who: 'viewer', ok: [404] },
  'GET /projects/:project/pipelines/:name/versions': {
    permission: { project: 'read' },
    who: 'viewer',
    ok: [404],
  },
  'GET /projects/:project/pipelines/:name/versions/:version': {
    permission: { project: 'read' },
    who: 'viewer',
    ok: [404],
  },
  'POST /components': { permission: 'admin', who: 'admin', ok: [422], body: {} },
  'GET /components': { permission: 'authenticated', who: 'authenticated', ok: [200] },
  'GET /components/:name': { permission: 'authenticated', who: 'authenticated', ok: [404] },
  'GET /components/:name/:version': { permission: 'authenticated', who: 'authenticated', ok: [404] },
  'POST /components/:name/:version/yank': { permission: 'admin', who: 'admin', ok: [404] },
  'POST /projects/:project/secrets': {
    permission: { project: 'write-secrets' },
    who: 'maintainer',
    ok: [422],
    body: {},
  },
  'GET /projects/:project/secrets': { permission: { project: 'read' }, who: 'viewer', ok: [200] },
  'PUT /projects/:project/secrets/:name': {
    permission: { project: 'write-secrets' },
    who: 'maintainer',
    ok: [422],
    body: {},
  },
  'DELETE /projects/:project/secrets/:name': {
    permission: { project: 'write-secrets' },
    who: 'maintainer',
    ok: [404],
  },
  'POST /projects/:project/services': {
    permission: { project: 'write-services' },
    who: 'maintainer',
    ok: [422],
    body: {},
  },
  'GET /projects/:project/services': { permission: { project: 'read' }, who: 'viewer', ok: [200] },
  'GET /projects/:project/services/:name': { permission: { project: 'read' }, who: 'viewer', ok: [404] },
  'PUT /projects/:project/services/:name': {
    permission: { project: 'write-services' },
    who: 'maintainer',
    ok: [404, 422],
    body: {},
  },
  'DELETE /projects/:project/services/:name': {
    permission: { project: 'write-services' },
    who: 'maintainer',
    ok: [404],
  },
  'POST /projects/:project/services/:name/check': {
    permission: { project: 'write-services' },
    who: 'maintainer',
    ok: [404],
  },
  'DELETE /projects/:project/pipelines/:name': {
    permission: { project: 'write-pipelines' },
    who: 'maintainer',
    ok: [404],
  },
  'PUT /projects/:project/pipelines/:name/hook': {
    permission: { project: 'write-pipelines' },
    who: 'maintainer',
    ok: [422],
    body: {},
  },
  'GET /projects/:project/pipelines/:name/hook': {
    permission: { project: 'read' },
    who: 'viewer',
    ok: [404],
  },
  'DELETE /projects/:project/pipelines/:name/hook/:provider': {
    permission: { project: 'write-pipelines' },
    who: 'maintainer',
    ok: [404],
  },
  // unauthenticated by token: the signature decides, and an unsigned delivery is 401 for everyone
  'POST /hooks/:project/:pipeline': { permission: 'public', who: 'public', ok: [401], body: {} },
  'POST /projects/:project/repositories': {
    permission: { project: 'write-services' },
    who: 'maintainer',
    ok: [422],
    body: {},
  },
  'GET /projects/:project/repositories': { permission: { project: 'read' }, who: 'viewer', ok: [200] },
  'DELETE /projects/:project/repositories/:id': {
    permission: { project: 'write-services' },
    who: 'maintainer',
    ok: [404],
  },
  'POST /forge-hooks/:id': { permission: 'public', who: 'public', ok: [401], body: {} },
  'PUT /projects/:project/badges': {
    permission: { project: 'write-pipelines' },
    who: 'maintainer',
    ok: [422],
    body: {},
  },
  'GET /projects/:project/pipelines/:name/schedules': {
    permission: { project: 'read' },
    who: 'viewer',
    ok: [404],
  },
  'POST /projects/:project/pipelines/:name/schedules': {
    permission: { project: 'write-pipelines' },
    who: 'maintainer',
    ok: [422],
    body: {},
  },
  'DELETE /projects/:project/pipelines/:name/schedules/:id': {
    permission: { project: 'write-pipelines' },
    who: 'maintainer',
    ok: [404],
  },
  'POST /projects/:project/pipelines/:name/schedules/:id/pause': {
    permission: { project: 'write-pipelines' },
    who: 'maintainer',
    ok: [404],
  },
  'POST /projects/:project/pipelines/:name/schedules/:id/unpause': {
    permission: { project: 'write-pipelines' },
    who: 'maintainer',
    ok: [404],
  },
  'POST /projects/:project/pipelines/:name/schedules/:id/trigger': {
    permission: { project: 'run' },
    who: 'developer',
    ok: [404],
  },
  'POST /projects/:project/pipelines/:name/schedules/:id/backfill': {
    permission: { project: 'write-pipelines' },
    who: 'maintainer',
    ok: [404],
    body: {},
  },
};

const ACTORS = ['anonymous', 'viewer', 'developer', 'maintainer', 'other-owner', 'owner', 'admin'] as const;
type ActorName = (typeof ACTORS)[number];

const key = (r: Pick<RouteDef, 'method' | 'path'>) => `${r.method.toUpperCase()} ${r.path}`;
// only the shape of the table is needed here; handlers are never called on these deps
const ROUTES = apiRoutes({ config: {}, db: {}, temporal: {}, client: {}, logger: {} } as unknown as ApiDeps);

let stack: Stack;
let crew: Awaited<ReturnType<typeof projectWithRoles>>;
let bystander: TestUser;
let team: string;
let anonymousRequests = 0;

beforeAll(async () => {
  // as behind a local reverse proxy: anonymous calls come from many addresses (see call())
  stack = await startStack({ worker: false, config: { CO_TRUST_PROXY: 'loopback' } });
  crew = await projectWithRoles(stack);
  bystander = await createUserWithToken(stack);
  team = uniqueName('matrix');
  await stack.request('POST', '/api/v1/teams', { name: team });
});
afterAll(async () => {
  await stack.stop();
});

function concretePath(path: string): string {
  const values: Record<string, string> = {
    project: crew.project,
    user: bystander.name,
    team,
    member: 'no-such-user',
    id: '00000000-0000-4000-8000-000000000000',
    name: 'no-such-pipeline',
    run: '00000000-0000-4000-8000-000000000001',
    step: 'build',
    version: '1',
    pipeline: 'no-such-pipeline',
    provider: 'github',
    token: 'not-a-signed-link',
  };
  return path.replace(/:(\w+)/g, (_, p: string) => {
    if (!(p in values)) throw new Error(`no test value for :${p} in ${path}`);
    return values[p]!;
  });
}

function expectedFor(actor: ActorName, e: Expectation): number | 'ok' | 'project-404' {
  if (e.who === 'public') return 'ok';
  if (actor === 'anonymous') return 401;
  if (actor === 'admin') return 'ok';
  if (e.who === 'authenticated') return 'ok';
  if (e.who === 'admin') return 403;
  if (actor === 'other-owner') return 'project-404';
  return roleRank(actor as Role) >= roleRank(e.who) ? 'ok' : 403;
}

async function call(actor: ActorName, route: RouteDef, e: Expectation): Promise<Response> {
  const tokens: Record<Exclude<ActorName, 'anonymous' | 'admin'>, string> = {
    viewer: crew.viewer.token,
    developer: crew.developer.token,
    maintainer: crew.maintainer.token,
    'other-owner': crew.other.token,
    owner: crew.owner.token,
  };
  const path = `/api/v1${concretePath(route.path)}`;
  if (actor === 'anonymous') {
    // a new address each time, so the brute-force guard does not step in
    const n = ++anonymousRequests;
    const headers = { 'x-forwarded-for': `10.77.${n >> 8}.${n & 255}` };
    return stack.request(route.method.toUpperCase(), path, e.body, { token: null, headers });
  }
  // public routes answer 401 to everyone here: a fresh address each time keeps the lockout away
  const n = e.who === 'public' ? ++anonymousRequests : 0;
  const headers = n ? { 'x-forwarded-for': `10.77.${n >> 8}.${n & 255}` } : undefined;
  return stack.request(
    route.method.toUpperCase(),
    path,
    e.body,
    actor === 'admin' ? { headers } : { token: tokens[actor], headers },
  );
}

describe('authorization matrix', () => {
  it('has an expectation for every route in the table, and none for routes that are gone', () => {
    const keys = ROUTES.map(key);
    expect(keys.filter((k) => !(k in EXPECTATIONS))).toEqual([]);
    expect(Object.keys(EXPECTATIONS).filter((k) => !keys.includes(k))).toEqual([]);
  });

  it.each(ROUTES.map((r) => [key(r), r] as const))('%s', async (name, route) => {
    const e = EXPECTATIONS[name];
    if (!e) throw new Error(`no expectation for ${name}: add it to EXPECTATIONS`);
    expect(route.permission).toEqual(e.permission);
    const expected: Record<string, number> = {};
    const actual: Record<string, number> = {};
    for (const actor of ACTORS) {
      const res = await call(actor, route, e);
      const body = (await res.text()) || '{}';
      const want = expectedFor(actor, e);
      const detail = (JSON.parse(body) as { detail?: string }).detail ?? '';
      const projectHidden =
        res.status === 404 && detail === `project ${JSON.stringify(crew.project)} not found`;
      actual[actor] = projectHidden && want !== 'project-404' ? -404 : res.status; // -404: the project looked invisible
      if (want === 'ok') expected[actor] = e.ok.includes(res.status) ? res.status : (e.ok[0] ?? 200);
      else if (want === 'project-404') expected[actor] = projectHidden ? res.status : -404;
      else expected[actor] = want;
    }
    expect(actual).toEqual(expected);
  });
});
