import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { pageOf, paged } from '../http/pagination';
import { parseOr422 } from '../../lib/validate';
import { audit } from '../crew/audit';
import {
  componentSpecOr422,
  componentView,
  findComponent,
  findVersion,
  publishComponent,
  setYanked,
  versionView,
} from './catalog';

const listQuery = z.object({ q: z.string().max(100).optional() });

/** The component catalog: anyone signed in reads it, administrators publish and yank. */
export function nucleusRoutes(deps: ApiDeps): RouteDef[] {
  return [...componentRoutes(deps), ...componentVersionRoutes(deps)];
}

/** Publish and list components. */
function componentRoutes({ db }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'post',
      path: '/components',
      permission: 'admin',
      summary:
        'Publish a component version (component.yaml as YAML or JSON, `readme`: markdown); same content again is 200 (a new readme replaces the old)',
      async handler(req, res, { actor }) {
        const spec = componentSpecOr422(req.body);
        const { outcome, version } = await publishComponent(db, spec);
        if (outcome !== 'unchanged') {
          await audit(db, {
            actor,
            action: outcome === 'created' ? 'component.published' : 'component.readme-updated',
            target: `${spec.name}@${spec.version}`,
            details: { digest: version.digest },
          });
        }
        res.status(outcome === 'created' ? 201 : 200).json(versionView(spec.name, version));
      },
    },
    {
      method: 'get',
      path: '/components',
      permission: 'authenticated',
      summary: 'Components with their versions, inputs and outputs; ?q= filters by name or description',
      async handler(req, res) {
        const page = pageOf(req.query);
        const { q } = parseOr422(listQuery, { q: req.query.q }, 'query');
        const rows = await db.component.findMany({
          where: {
            ...(q ? { OR: [{ name: { contains: q } }, { description: { contains: q } }] } : {}),
            ...(page.cursor ? { name: { gt: page.cursor } } : {}),
          },
          include: { versions: true },
          orderBy: { name: 'asc' },
          take: page.limit + 1,
        });
        res.json(paged(rows, page.limit, (c) => c.name, componentView));
      },
    },
  ];
}

/** Read a component, a version, and yank a version. */
function componentVersionRoutes({ db }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/components/:name',
      permission: 'authenticated',
      summary: 'One component and its versions',
      async handler(req, res) {
        res.json(componentView(await findComponent(db, String(req.params.name))));
      },
    },
    {
      method: 'get',
      path: '/components/:name/:version',
      permission: 'authenticated',
      summary: 'One component version with its full spec',
      async handler(req, res) {
        const name = String(req.params.name);
        const { version } = await findVersion(db, name, String(req.params.version));
        res.json(versionView(name, version));
      },
    },
    {
      method: 'post',
      path: '/components/:name/:version/yank',
      permission: 'admin',
      summary: 'Yank a version: new resolutions skip it; pipelines pinned to it keep running it',
      async handler(req, res, { actor }) {
        const name = String(req.params.name);
        const { version } = await setYanked(db, name, String(req.params.version), true);
        await audit(db, { actor, action: 'component.yanked', target: `${name}@${version.version}` });
        res.json(versionView(name, version));
      },
    },
  ];
}
