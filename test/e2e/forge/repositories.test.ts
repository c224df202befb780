import { startStack, type Stack } from '../../support/stack';
import { createProject } from '../../support/runs';

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack({ worker: false });
  project = await createProject(stack);
  for (const [name, type, url] of [
    ['local-forge', 'gitea', 'http://127.0.0.1:1'],
    ['chat', 'slack', 'https://slack.example.org/api'],
  ])
    expect(
      (
        await stack.request('POST', `/api/v1/projects/${project}/services`, {
          name,
          type,
          url,
          credentials: { token: 'tok-0123456789' },
        })
      ).status,
    ).toBe(201);
});
afterAll(async () => {
  await stack.stop();
});

const connect = (body: unknown) => stack.request('POST', `/api/v1/projects/${project}/repositories`, body);

describe('connecting a repository: what is refused, and nothing is stored', () => {
  it('422 for a repository that is not owner/name, with its path', async () => {
    const res = await connect({ service: 'local-forge', repository: 'no-owner' });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('"path":"repository"');
  });

  it('422 for a service that is not a code host', async () => {
    const res = await connect({ service: 'chat', repository: 'acme/app' });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('is a slack service');
  });

  it('422 for a forge on a loopback address unless CO_SERVICES_ALLOW_PRIVATE allows it', async () => {
    const res = await connect({ service: 'local-forge', repository: 'acme/app' });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('CO_SERVICES_ALLOW_PRIVATE');
    expect(await stack.db.forgeRepository.count({ where: { project: { name: project } } })).toBe(0);
  });

  it('404 for a service that does not exist', async () => {
    expect((await connect({ service: 'nope', repository: 'acme/app' })).status).toBe(404);
  });
});
