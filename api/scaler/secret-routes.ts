import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { pageOf, paged } from '../http/pagination';
import { parseOr422 } from '../../lib/validate';
import {
  createSecret,
  deleteSecret,
  listSecrets,
  secretName,
  secretValue,
  secretView,
  updateSecret,
} from './secrets';

const createBody = z.strictObject({ name: secretName, value: secretValue });
const updateBody = z.strictObject({ value: secretValue });

/** Project secrets: write-only values, names visible to every member. */
export function secretRoutes({ db, config }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'post',
      path: '/projects/:project/secrets',
      permission: { project: 'write-secrets' },
      summary: 'Store a project secret, used as ${{ secrets.NAME }}; the value is never shown again',
      async handler(req, res, { actor, project }) {
        const input = parseOr422(createBody, req.body ?? {});
        res.status(201).json(secretView(await createSecret(db, config, actor, project!, input)));
      },
    },
    {
      method: 'get',
      path: '/projects/:project/secrets',
      permission: { project: 'read' },
      summary: 'Names and dates of the project secrets (never values)',
      async handler(req, res, { project }) {
        const page = pageOf(req.query);
        const rows = await listSecrets(db, project!, { limit: page.limit, after: page.cursor });
        res.json(paged(rows, page.limit, (r) => r.name, secretView));
      },
    },
    {
      method: 'put',
      path: '/projects/:project/secrets/:name',
      permission: { project: 'write-secrets' },
      summary: 'Replace the value of a project secret',
      async handler(req, res, { actor, project }) {
        const input = parseOr422(updateBody, req.body ?? {});
        const row = await updateSecret(db, config, actor, project!, String(req.params.name), input);
        res.json(secretView(row));
      },
    },
    {
      method: 'delete',
      path: '/projects/:project/secrets/:name',
      permission: { project: 'write-secrets' },
      summary: 'Delete a project secret',
      async handler(req, res, { actor, project }) {
        await deleteSecret(db, actor, project!, String(req.params.name));
        res.status(204).end();
      },
    },
  ];
}
