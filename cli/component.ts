import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CliIo } from './main';

export const COMPONENT_USAGE = [
  '  component publish DIR  publish DIR/component.yaml (and DIR/README.md) to the catalog (CO_API_URL, CO_TOKEN)',
];

interface Problem {
  title?: string;
  detail?: string;
  errors?: Array<{ path: string; message: string; line?: number; col?: number }>;
}

/** `containerops component publish DIR`: POSTs the component to the catalog; returns the exit code. */
export async function componentCommand(
  argv: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [sub, dir, ...extra] = argv;
  if (sub !== 'publish' || !dir || extra.length > 0) {
    io.err('usage: containerops component publish DIR');
    return 2;
  }
  const file = statSync(dir, { throwIfNoEntry: false })?.isDirectory()
    ? path.join(dir, 'component.yaml')
    : dir;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    io.err(`${file}: cannot read: ${(e as Error).message}`);
    return 1;
  }
  source = withReadme(source, path.join(path.dirname(file), 'README.md'));
  const token = env.CO_TOKEN;
  if (!token) {
    io.err('containerops: set CO_TOKEN to an administrator API token');
    return 2;
  }
  const base = (env.CO_API_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/components`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
      body: source,
    });
  } catch (e) {
    io.err(`containerops: cannot reach ${base}: ${(e as Error).cause ?? (e as Error).message}`);
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as Problem & {
    name?: string;
    version?: string;
    digest?: string;
  };
  if (res.status === 201 || res.status === 200) {
    const what = `${body.name}@${body.version}`;
    io.out(
      res.status === 201
        ? `published ${what} (${body.digest})`
        : `${what} is already published with this content`,
    );
    return 0;
  }
  for (const e of body.errors ?? [])
    io.err(`${file}:${e.line ?? 1}:${e.col ?? 1}: ${e.path ? `${e.path}: ` : ''}${e.message}`);
  io.err(`${file}: ${res.status} ${body.title ?? res.statusText}${body.detail ? `: ${body.detail}` : ''}`);
  return 1;
}

/**
 * The README.md beside component.yaml goes with it as `readme:`, appended at the end (so the lines of
 * any error stay those of the file; a JSON string is a YAML scalar), unless the yaml has its own.
 */
function withReadme(source: string, readmeFile: string): string {
  if (/^readme\s*:/m.test(source) || source.trimStart().startsWith('{')) return source;
  const readme = statSync(readmeFile, { throwIfNoEntry: false })?.isFile()
    ? readFileSync(readmeFile, 'utf8')
    : undefined;
  return readme === undefined ? source : `${source.replace(/\n*$/, '\n')}readme: ${JSON.stringify(readme)}\n`;
}
