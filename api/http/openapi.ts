import { Router } from 'express';
import { pipelineJsonSchema } from '../../pipeline';
import type { RouteDef } from './route';

const problem = { $ref: '#/components/schemas/Problem' };

function describePermission(p: RouteDef['permission']): string {
  if (typeof p === 'string') return p;
  return `project role allowing "${p.project}"`;
}

/** OpenAPI 3.1 document generated from the route table, so it cannot drift from the routes. */
export function openApiDocument(routes: RouteDef[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const openPath = `/api/v1${route.path.replace(/:(\w+)/g, '{$1}')}`;
    const parameters = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[openPath] ??= {};
    paths[openPath][route.method] = {
      summary: route.summary,
      description: `Permission: ${describePermission(route.permission)}.`,
      parameters,
      ...(route.permission === 'public' ? { security: [] } : {}),
      responses: {
        default: {
          description: 'success, or an RFC 9457 problem',
          content: { 'application/problem+json': { schema: problem } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ContainerOps on Temporal', version: '1' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  path: { type: 'string' },
                  message: { type: 'string' },
                  line: { type: 'integer' },
                  col: { type: 'integer' },
                },
              },
            },
          },
        },
        Pipeline: pipelineJsonSchema(),
      },
    },
  };
}

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function openApiRouter(routes: RouteDef[]): Router {
  const document = openApiDocument(routes);
  const rows = routes
    .map(
      (r) =>
        `<tr><td>${r.method.toUpperCase()}</td><td><code>/api/v1${escape(r.path)}</code></td><td>${escape(r.summary)}</td><td>${escape(describePermission(r.permission))}</td></tr>`,
    )
    .join('\n');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>ContainerOps API</title>
<style>body{font-family:sans-serif;margin:2em}td{padding:.2em .8em;border-bottom:1px solid #ddd}</style></head>
<body><h1>ContainerOps API</h1><p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>. Errors are RFC 9457 problem+json.</p>
<table><tr><th>method</th><th>path</th><th>what</th><th>who</th></tr>${rows}</table></body></html>`;
  const router = Router();
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(html);
  });
  return router;
}
