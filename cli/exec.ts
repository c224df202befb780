import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { isSourceFormat, SOURCE_FORMATS, type SourceFormat } from '../pipeline/formats/detect';
import { ApiClient, followRun, summarize } from './exec-follow';
import { startLocalStack } from './exec-stack';

const DEFAULT_API = 'http://127.0.0.1:8080';
import type { CliIo } from './main';

export const EXEC_USAGE = [
  '  exec FILE [--param NAME=VALUE]... [--format F] [--name N] [--project P]',
  '                     run a pipeline file (native, flow, GitHub Actions, GitLab CI) on the',
  '                     platform, streaming its logs; exits 0 when the run succeeds, 1 when not.',
  '                     Uses CO_API_URL (CO_TOKEN), else the platform `npm start` runs at',
  '                     http://127.0.0.1:8080 (its token in CO_DATA_DIR/admin-token), else starts',
  '                     one for this run and stops it after (data in ~/.containerops/exec)',
];

interface ExecArgs {
  file: string;
  params: Record<string, string>;
  format?: SourceFormat;
  name?: string;
  project: string;
}

function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ExecArgs | string {
  const out: ExecArgs = { file: '', params: {}, project: env.CO_PROJECT ?? 'local' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[i + 1];
    if (arg === '--param' || arg === '-p') {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value ?? '');
      if (!m) return `--param needs NAME=VALUE, got ${JSON.stringify(value ?? '')}`;
      out.params[m[1]!] = m[2]!;
      i++;
    } else if (arg === '--format') {
      if (!isSourceFormat(value)) return `--format must be one of ${SOURCE_FORMATS.join(', ')}`;
      out.format = value;
      i++;
    } else if (arg === '--name' || arg === '--project') {
      if (!value) return `${arg} needs a value`;
      out[arg === '--name' ? 'name' : 'project'] = value;
      i++;
    } else if (arg.startsWith('-') || out.file) return `unexpected argument ${JSON.stringify(arg)}`;
    else out.file = arg;
  }
  return out.file ? out : 'usage: containerops exec FILE [--param NAME=VALUE]...';
}

function apiToken(env: NodeJS.ProcessEnv): string | undefined {
  if (env.CO_TOKEN) return env.CO_TOKEN;
  const file = path.join(path.resolve(env.CO_DATA_DIR ?? '.data'), 'admin-token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** The repository the file lives in (for its path, local includes and checkout), or its directory. */
function repositoryRoot(file: string): string {
  const dir = path.dirname(path.resolve(file));
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return dir;
  }
}

/** GitLab `include: local` files, read from the repository (the API compiles without reading files). */
function localIncludes(source: string, root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const queue = [source];
  while (queue.length > 0 && Object.keys(files).length < 50) {
    let doc: unknown;
    try {
      doc = parseYamlText(queue.shift()!);
    } catch {
      continue;
    }
    const include = (doc as { include?: unknown } | null)?.include;
    const entries = include === undefined ? [] : Array.isArray(include) ? include : [include];
    for (const entry of entries) {
      const local = typeof entry === 'string' ? entry : (entry as { local?: unknown })?.local;
      if (typeof local !== 'string' || /^https?:/.test(local)) continue;
      const rel = local.replace(/^\/+/, '');
      const full = path.resolve(root, rel);
      if (files[rel] !== undefined || !full.startsWith(root + path.sep) || !existsSync(full)) continue;
      files[rel] = readFileSync(full, 'utf8');
      queue.push(files[rel]);
    }
  }
  return files;
}

async function problem(res: Response): Promise<string> {
  const body = (await res.json().catch(() => ({}))) as {
    detail?: string;
    errors?: { line?: number; col?: number; path?: string; message: string }[];
  };
  const lines = (body.errors ?? []).map(
    (e) => `  ${e.line ?? '?'}:${e.col ?? '?'}: ${e.path ? `${e.path}: ` : ''}${e.message}`,
  );
  return [`HTTP ${res.status}: ${body.detail ?? res.statusText}`, ...lines].join('\n');
}

/** Creates the project when missing, then stores the file as a new version of its pipeline. */
async function savePipeline(
  api: ApiClient,
  args: ExecArgs,
  source: string,
  root: string,
): Promise<{ name: string; params: string[] }> {
  const project = await api.request('POST', '/projects', {
    name: args.project,
    description: 'containerops exec',
  });
  if (project.status !== 201 && project.status !== 409)
    throw new Error(`creating project ${args.project}: ${await problem(project)}`);
  const fileName = path.relative(root, path.resolve(args.file));
  const body = {
    source,
    path: fileName,
    files: localIncludes(source, root),
    ...(args.format && { format: args.format }),
    ...(args.name && { name: args.name }),
  };
  const checked = await api.request('POST', `/projects/${args.project}/pipelines/validate`, body);
  const result = (await checked.json()) as {
    valid?: boolean;
    plan?: { name: string; params: { name: string }[] };
    errors?: unknown[];
  };
  if (!checked.ok || !result.valid) {
    const located = (result.errors ?? []) as { line: number; col: number; path: string; message: string }[];
    throw new Error(
      located
        .map((e) => `${args.file}:${e.line}:${e.col}: ${e.path ? `${e.path}: ` : ''}${e.message}`)
        .join('\n') || `HTTP ${checked.status}`,
    );
  }
  const name = result.plan!.name;
  let saved = await api.request('POST', `/projects/${args.project}/pipelines`, { ...body, name });
  if (saved.status === 409)
    saved = await api.request('PUT', `/projects/${args.project}/pipelines/${name}`, body);
  if (!saved.ok) throw new Error(`saving pipeline ${name}: ${await problem(saved)}`);
  return { name, params: result.plan!.params.map((p) => p.name) };
}

/** `containerops exec FILE`: the run's exit status is the command's (0 succeeded, 1 otherwise, 2 usage). */
export async function execCommand(
  argv: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const args = parseArgs(argv, env);
  if (typeof args === 'string') {
    io.err(args);
    return 2;
  }
  let source: string;
  try {
    source = readFileSync(args.file, 'utf8');
  } catch (e) {
    io.err(`${args.file}: cannot read: ${(e as Error).message}`);
    return 2;
  }
  let platform: Platform;
  try {
    platform = await findPlatform(io, env);
  } catch (e) {
    io.err(`containerops: ${(e as Error).message}`);
    return 1;
  }
  try {
    return await execOn(new ApiClient(platform.base, platform.token), args, source, io);
  } finally {
    await platform.stop?.();
  }
}

interface Platform {
  base: string;
  token: string;
  stop?: () => Promise<void>;
}

/** CO_API_URL, else a platform at the default address, else one started for this command. */
async function findPlatform(io: CliIo, env: NodeJS.ProcessEnv): Promise<Platform> {
  const base = (env.CO_API_URL ?? DEFAULT_API).replace(/\/+$/, '');
  const answers = await fetch(`${base}/readyz`).then(
    () => true,
    () => false,
  );
  if (!answers && env.CO_API_URL === undefined) return startLocalStack(io, env);
  const token = apiToken(env);
  if (!token) throw new Error('no API token: set CO_TOKEN (npm start prints the admin token)');
  return { base, token };
}

/** Saves the file, starts a run, follows it; the exit status is the run's. */
async function execOn(api: ApiClient, args: ExecArgs, source: string, io: CliIo): Promise<number> {
  try {
    const root = repositoryRoot(args.file);
    const { name, params: declared } = await savePipeline(api, args, source, root);
    const params = declared.includes('CHECKOUT_URL') ? withCheckoutUrl(args.params, root) : args.params;
    const started = await api.request('POST', `/projects/${args.project}/pipelines/${name}/runs`, { params });
    if (started.status !== 201) throw new Error(`starting a run of ${name}: ${await problem(started)}`);
    const { id, number } = (await started.json()) as { id: string; number: number };
    io.out(
      `containerops: ${args.project}/${name} run #${number} (${api.base}/projects/${args.project}/runs/${id})`,
    );
    const run = await followRun(api, args.project, id, io);
    summarize(run, io);
    return run.status === 'succeeded' ? 0 : 1;
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    io.err(`containerops: ${err.cause?.code === 'ECONNREFUSED' ? `cannot reach ${api.base}` : err.message}`);
    return 1;
  }
}

/** actions/checkout without a repository clones CHECKOUT_URL: the local repository, unless set. */
function withCheckoutUrl(params: Record<string, string>, root: string): Record<string, string> {
  if (params.CHECKOUT_URL !== undefined || !existsSync(path.join(root, '.git'))) return params;
  return { ...params, CHECKOUT_URL: `file://${root}` };
}
