import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { keyringOf, open } from '../../lib/secret-box';
import type { ServiceConfig, ServiceCredentials, ServiceType } from '../../contract/service-types';
import { validatePlan } from '../../pipeline/plan';
import { referencesIn } from '../../pipeline/secrets';

/** A secret, service or param a step refers to that cannot be resolved: the step fails, not retried. */
export class SecretResolutionError extends Error {
  override name = 'SecretResolutionError';
}

export interface ResolvedService {
  name: string;
  type: ServiceType;
  url: string;
  config: ServiceConfig;
  credentials: ServiceCredentials;
}

/** Reads and opens a project's secrets, services and a run's secret params; only activities call it. */
export function createVault(deps: { db: Db; config: Config }) {
  const projectId = async (project: string) => {
    const row = await deps.db.project.findUnique({ where: { name: project }, select: { id: true } });
    if (!row) throw new SecretResolutionError(`project ${project} no longer exists`);
    return row.id;
  };
  const missing = (what: string, names: string[], found: Set<string>) => {
    const gone = names.filter((n) => !found.has(n));
    if (gone.length) throw new SecretResolutionError(`${what} ${gone.map((n) => `"${n}"`).join(', ')}`);
  };
  return {
    /** A pull request's run from a fork: code nobody in the project wrote, which gets no secrets. */
    async forkRun(runId: string): Promise<boolean> {
      const run = await deps.db.run.findUnique({ where: { id: runId }, select: { triggerInfo: true } });
      return (run?.triggerInfo as { fork?: unknown } | null)?.fork === true;
    },

    /**
     * The references the saved pipeline itself gives a step (`kind.name`). Any other marker in a
     * step's env came from data (a param, an output, a webhook payload) and is never resolved.
     */
    async allowedReferences(runId: string, stepId: string): Promise<Set<string>> {
      const run = await deps.db.run.findUnique({
        where: { id: runId },
        select: { pipelineVersion: { select: { plan: true } } },
      });
      const plan = run ? validatePlan(run.pipelineVersion.plan) : undefined;
      const node = plan && [...plan.nodes, ...plan.finally].find((n) => n.id === stepId);
      const allowed = new Set<string>();
      if (!plan || !node) return allowed;
      for (const r of [...referencesIn(plan.env), ...referencesIn(node.env), ...referencesIn(node.with)])
        allowed.add(`${r.kind}.${r.name}`);
      for (const p of plan.params) if (p.secret) allowed.add(`params.${p.name}`);
      return allowed;
    },

    async secrets(project: string, names: string[]): Promise<Map<string, string>> {
      if (names.length === 0) return new Map();
      const rows = await deps.db.projectSecret.findMany({
        where: { projectId: await projectId(project), name: { in: names } },
      });
      const keyring = keyringOf(deps.config);
      const values = new Map(rows.map((r) => [r.name, open(keyring, r.value)]));
      missing(`project ${project} has no secret`, names, new Set(values.keys()));
      return values;
    },

    async runParams(runId: string, names: string[]): Promise<Map<string, string>> {
      if (names.length === 0) return new Map();
      const rows = await deps.db.runSecret.findMany({ where: { runId, name: { in: names } } });
      const keyring = keyringOf(deps.config);
      const values = new Map(rows.map((r) => [r.name, open(keyring, r.value)]));
      missing(`run ${runId} holds no value for secret param`, names, new Set(values.keys()));
      return values;
    },

    async services(project: string, names: string[]): Promise<ResolvedService[]> {
      if (names.length === 0) return [];
      const rows = await deps.db.service.findMany({
        where: { projectId: await projectId(project), name: { in: names } },
      });
      missing(`project ${project} has no service`, names, new Set(rows.map((r) => r.name)));
      const keyring = keyringOf(deps.config);
      const byName = new Map(rows.map((r) => [r.name, r]));
      return names.map((name) => {
        const r = byName.get(name)!;
        return {
          name,
          type: r.type as ServiceType,
          url: r.url,
          config: (r.config ?? {}) as ServiceConfig,
          credentials: r.secret ? (JSON.parse(open(keyring, r.secret)) as ServiceCredentials) : {},
        };
      });
    },
  };
}

export type Vault = ReturnType<typeof createVault>;
