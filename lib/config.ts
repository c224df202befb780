import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const mysqlUrl = z.string().refine((v) => /^(mysql|mariadb):\/\/[^/]+\/[A-Za-z0-9_$-]+(\?.*)?$/.test(v), {
  message: 'must be a mysql:// URL with a database name, e.g. mysql://root@127.0.0.1:3306/containerops',
});

const hostPort = z.string().refine((v) => /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(v), {
  message: 'must be host:port, e.g. 127.0.0.1:7233',
});

const regex = z.string().refine(
  (v) => {
    try {
      new RegExp(v, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression' },
);

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
/** Express's `trust proxy`: off, a hop count, or addresses/subnets (and loopback|linklocal|uniquelocal). */
const trustProxy = z
  .string()
  .transform((v) => v.trim())
  .refine(
    (v) =>
      /^(false|\d{1,2})$/.test(v) ||
      v.split(',').every((part) => {
        const [ip, bits, ...rest] = part.trim().split('/');
        if (PROXY_NAMES.includes(ip!) && bits === undefined) return true;
        const family = net.isIP(ip!);
        const max = family === 4 ? 32 : 128;
        return (
          family !== 0 &&
          rest.length === 0 &&
          (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max))
        );
      }),
    { message: 'must be false, a number of proxy hops, or addresses/subnets (e.g. loopback,10.0.0.0/8)' },
  )
  .transform((v): false | number | string[] =>
    v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v.split(',').map((p) => p.trim()),
  );
/** 32 bytes as base64 or hex (lib/secret-box.ts decodes it). */
const secretsKey = z.string().refine((v) => /^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/.test(v.trim()), {
  message: 'must be 32 random bytes as base64 or hex (openssl rand -base64 32)',
});

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Every setting of the platform, read from the environment. README's configuration table mirrors this. */
export const configSchema = z.object({
  DATABASE_URL: mysqlUrl.optional(),
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('pipelines'),
  TEMPORAL_UI_URL: z.url().default('http://localhost:8233'),
  TEMPORAL_CLI_PATH: z.string().optional(),
  /** how users reach the API (links in the Temporal UI and in mails); default http://localhost:PORT */
  CO_PUBLIC_URL: z.url().optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CO_BOOTSTRAP_ADMIN_TOKEN: z.string().min(20, 'must be at least 20 characters').optional(),
  CO_DATA_DIR: z.string().min(1).default('.data'),
  CO_RUNTIME: z.enum(['local', 'container', 'kubernetes']).default('local'),
  /** image of a container-runtime step that names none; `<project>/<repo>:<tag>` is a dockyard repository */
  CO_CONTAINER_IMAGE: z.string().min(1).default('containerops/base:bookworm'),
  /** podman authfile the worker pulls step images from dockyard with; never a command-line password */
  CO_CONTAINER_AUTHFILE: z.string().min(1).optional(),
  /** where `npm run images:build` caches Debian root filesystems; default ~/.cache/containerops/images */
  CO_IMAGE_CACHE_DIR: z.string().min(1).optional(),
  /** the Debian mirror mmdebstrap uses; default: the one apt's sources name */
  CO_DEBIAN_MIRROR: z.url().optional(),
  CO_SECRET_ENV_PATTERN: regex.default('secret|token|password|passwd|api_?key|private_?key|credential'),
  CO_STEP_KILL_GRACE_MS: z.coerce.number().int().min(0).default(5000),
  CO_WORKER_MAX_ACTIVITIES: z.coerce.number().int().min(1).default(200),
  /** V8 old-space ceiling (MB) of each of the worker's heaps (main and workflow thread); set at launch by `npm run start:worker` */
  CO_WORKER_HEAP_MB: z.coerce.number().int().min(256).default(768),
  CO_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * Wall time one workflow activation may take before the SDK's sandbox stops it. Node aborts the
   * whole process when that stop lands in a promise job (docs/operations.md), so it is far above
   * what a slow, loaded machine needs; only workflow code that never yields reaches it.
   */
  CO_WORKFLOW_ACTIVATION_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60_000),
  /** a prebuilt workflow bundle (`npm run build:workflows`); unset: the worker bundles workflows/ at start */
  CO_WORKFLOW_BUNDLE: z
    .string()
    .refine((f) => fs.existsSync(f), { message: 'names no existing file; run npm run build:workflows' })
    .optional(),
  CO_K8S_NAMESPACE: z.string().min(1).default('containerops'),
  CO_K8S_PENDING_TIMEOUT_MS: z.coerce.number().int().min(1000).default(300_000),
  CO_K8S_KEEP_FAILED_PODS: bool.default(false),
  /** image of the containers that move a step pod's artifacts; unset: containerops:0.1.0 (the chart's) */
  CO_K8S_TOOL_IMAGE: z.string().min(1).optional(),
  /** where the leaked-pod sweep looks (comma-separated); unset: CO_K8S_NAMESPACE only */
  CO_K8S_STEP_NAMESPACES: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(,[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
      message: 'must be comma-separated namespace names',
    })
    .optional(),
  CO_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** ports of the servers `npm start` runs itself (0: any free port) */
  CO_DEV_TEMPORAL_PORT: z.coerce.number().int().min(0).max(65535).default(7233),
  CO_DEV_TEMPORAL_UI_PORT: z.coerce.number().int().min(0).max(65535).default(8233),
  CO_DEV_MARIADB_PORT: z.coerce.number().int().min(0).max(65535).default(3307),
  /** which peers may set X-Forwarded-For (the client address of rate limits and lockouts); off by default */
  CO_TRUST_PROXY: trustProxy.default(false),
  /** the worker's Prometheus endpoint (Temporal SDK series and co_* step series); unset: none */
  CO_WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  // dockyard: blob store, artifacts, large outputs, OCI registry
  CO_BLOB_STORE: z
    .string()
    .refine((v) => v === 'fs' || /^s3:\/\/[^/?]+/.test(v), { message: 'must be fs or s3://bucket[/prefix]' })
    .default('fs'),
  /** where workers and pods reach the API; unset: http://HOST:PORT */
  CO_API_URL: z.url().optional(),
  /** HMAC key of the short-lived run tokens steps use against dockyard; unset: a key file in CO_DATA_DIR */
  CO_DOCKYARD_TOKEN_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  CO_ARTIFACT_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /** step caches (`cache:`) of one project may hold this many bytes; past it the least recently used go */
  CO_CACHE_QUOTA_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(10 * 1024 ** 3),
  /** a memoized step whose run creates or changes more workspace bytes than this is not memoizable */
  CO_MEMOIZE_SNAPSHOT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(256 * 1024 ** 2),
  /** the branch whose caches every run falls back to when its code host does not name one */
  CO_CACHE_DEFAULT_BRANCH: z.string().min(1).max(255).default('main'),
  CO_BLOB_GC_GRACE_HOURS: z.coerce.number().min(0).default(24),
  /** logs of runs finished longer ago than this move from the LogLine table into dockyard blobs; 0: kept in the table forever */
  CO_LOG_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  /** one step attempt's log stops at this many bytes (a marker line says so); 0: no cap */
  CO_LOG_MAX_BYTES_PER_STEP: z.coerce
    .number()
    .int()
    .min(0)
    .default(64 * 1024 * 1024),
  /** runs of pipelines that do not set `chainSteps` run consecutive plain steps of a linear pipeline in one activity */
  CO_CHAIN_STEPS: bool.default(true),
  /** registry bytes per project; 0 means unlimited */
  CO_DOCKYARD_QUOTA_BYTES: z.coerce.number().int().min(0).default(0),
  /** where flow `receivers` mail goes out: smtp://user:pass@host:port or smtps://... */
  CO_SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  CO_MAIL_FROM: z.string().min(3).default('ContainerOps <containerops@localhost>'),
  /** seals secrets at rest; required by the API and the worker (npm start generates one) */
  CO_SECRETS_KEY: secretsKey.optional(),
  /** comma-separated earlier keys that still open rows until `npm run secrets:rotate` re-seals them */
  CO_SECRETS_KEY_PREVIOUS: z
    .string()
    .refine((v) => v.split(',').every((k) => secretsKey.safeParse(k).success), {
      message: 'must be comma-separated keys, each 32 random bytes as base64 or hex',
    })
    .optional(),
  CO_SERVICES_ALLOW_PRIVATE: bool.default(false),
});

export type Config = z.infer<typeof configSchema> & { dataDir: string; publicUrl: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError with one line naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${detail}`);
  }
  const publicUrl = (result.data.CO_PUBLIC_URL ?? `http://localhost:${result.data.PORT}`).replace(/\/+$/, '');
  return { ...result.data, dataDir: path.resolve(result.data.CO_DATA_DIR), publicUrl };
}

export function requireDatabaseUrl(config: Config): string {
  if (!config.DATABASE_URL) throw new ConfigError('invalid configuration: DATABASE_URL: is required');
  return config.DATABASE_URL;
}
